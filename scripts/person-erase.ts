import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { personEraseCli } from '../src/privacy/cli.js'

// `npm run person:erase -- --platform SLUG --email E --yes` (src/privacy/cli.ts).

const config = loadConfig()
const db = createDatabase(config)
try {
  await migrateToLatest(db)
  console.log(await personEraseCli(process.argv.slice(2), { db, now: new Date(), dataDir: config.dataDir }))
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}
