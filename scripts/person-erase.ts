import { personEraseCli } from '../src/privacy/cli.js'
import { runOperatorCommand } from './operator-command.js'

// `npm run person:erase -- --platform SLUG --email E --yes` (src/privacy/cli.ts).

await runOperatorCommand(({ db, config, now }) => personEraseCli(process.argv.slice(2), { db, now, dataDir: config.dataDir }))
