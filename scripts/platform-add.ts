import { readFileSync } from 'node:fs'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { PlatformAddError, platformAdd } from '../src/platforms/platform-add.js'
import { DEFAULT_AGENDA } from '../src/sessions/agenda.js'

// `npm run platform:add -- --slug S --name N --country CC [--region R] [--timezone Z] --mailbox M [--communes FILE.csv]`
// (and --rrule, --start, --end, --skip 1,8, --venue-name/--venue-address/--venue-commune for one fixed venue).

const db = createDatabase(loadConfig())
try {
  await migrateToLatest(db)
  console.log(await platformAdd(process.argv.slice(2), {
    db, now: new Date(), readFile: (path) => readFileSync(path), agendaTemplate: JSON.stringify(DEFAULT_AGENDA),
  }))
} catch (error) {
  console.error(error instanceof PlatformAddError || error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}
