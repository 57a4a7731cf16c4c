import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { personExportCli } from '../src/privacy/cli.js'

// `npm run person:export -- --platform SLUG --email E` (src/privacy/cli.ts).

const config = loadConfig()
const db = createDatabase(config)
try {
  await migrateToLatest(db)
  console.log(await personExportCli(process.argv.slice(2), { db, now: new Date(), dataDir: config.dataDir }))
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}
