import { personExportCli } from '../src/privacy/cli.js'
import { runOperatorCommand } from './operator-command.js'

// `npm run person:export -- --platform SLUG --email E` (src/privacy/cli.ts).

await runOperatorCommand(({ db, config, now }) => personExportCli(process.argv.slice(2), { db, now, dataDir: config.dataDir }))
