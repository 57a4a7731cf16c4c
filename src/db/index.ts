import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, PostgresAdapter, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import type { Database, Db } from './schema.js'

// PostgreSQL's bigint (count(*), sums) would arrive as strings; our ids and counts fit a JS number.
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10))

export interface DatabaseOptions {
  dataDir: string
  databaseUrl: string | null
  /** SQLite busy timeout in ms. */
  busyTimeout?: number
  /** PostgreSQL pool size. */
  poolSize?: number
}

export function createDatabase(options: DatabaseOptions): Db {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 })
    // An idle connection the server closes (restart, failover) must not crash the process: the pool
    // drops it and opens a new one on the next query.
    pool.on('error', (error) => console.error(`PostgreSQL idle connection lost: ${error.message}`))
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  }
  mkdirSync(options.dataDir, { recursive: true })
  const file = join(options.dataDir, 'fabrik.sqlite')
  const sqlite = new SQLite(file, { timeout: options.busyTimeout ?? 5000 })
  sqlite.pragma('journal_mode = WAL')
  // FULL: a booking or an answer acknowledged to a person survives a power cut, not only a crash.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${options.busyTimeout ?? 5000}`)
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
}

export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}
