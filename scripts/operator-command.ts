import { type Config, loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import type { Db } from '../src/db/schema.js'

// The frame of an operator's command (person:export, person:erase; platform:add has the same shape): the
// configured database, migrated; what the command returns is printed, an error prints its message alone and
// the exit code is 1; the database is closed either way.

export interface OperatorDeps { db: Db; config: Config; now: Date }

export async function runOperatorCommand(command: (deps: OperatorDeps) => Promise<string>): Promise<void> {
  const config = loadConfig()
  const db = createDatabase(config)
  try {
    await migrateToLatest(db)
    console.log(await command({ db, config, now: new Date() }))
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 1
  } finally {
    await db.destroy()
  }
}
