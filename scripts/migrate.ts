import { ConfigError, loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'

// `npm run migrate`: applies pending migrations and exits non-zero on failure.
try {
  const db = createDatabase(loadConfig())
  try {
    const applied = await migrateToLatest(db)
    console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.')
  } finally {
    await db.destroy()
  }
} catch (error) {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error)
  process.exitCode = 1
}
