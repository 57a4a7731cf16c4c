import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { Kysely, SqliteDialect } from 'kysely'
import { buildApp } from '../../src/app.js'
import { SQLITE_FILE } from '../../src/db/backup.js'
import type { Database, Db } from '../../src/db/schema.js'
import { TestClock, DEFAULT_NOW, testConfig } from '../helpers/app.js'

// The fault tests need the app's own better-sqlite3 handle (max_page_count is a per-connection setting, a
// lock must be held on another connection), which createDatabase keeps inside Kysely. So they open the
// connection by hand, with the same pragmas — test/faults/pragmas.test.ts checks that nothing drifts.

export const pgUrl = process.env.FABRIK_TEST_PG_URL

/** Prints why a SQLite-only file is skipped under FABRIK_TEST_PG_URL, and returns whether to skip. */
export function skipOnPostgres(file: string): boolean {
  if (pgUrl) console.warn(`⚠ ${file} skipped: it breaks the SQLite file itself (FABRIK_TEST_PG_URL is set)`)
  return Boolean(pgUrl)
}

export interface AppSqlite {
  sqlite: SQLite.Database
  db: Db
  file: string
}

/** DATA_DIR/fabrik.sqlite opened as createDatabase does, with the raw handle at hand. */
export function openAppSqlite(dataDir: string, busyTimeout = 5000): AppSqlite {
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, SQLITE_FILE)
  const sqlite = new SQLite(file, { timeout: busyTimeout })
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${busyTimeout}`)
  return { sqlite, db: new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), file }
}

/** The real app on a database the test opened itself; app.close() destroys it. */
export async function appOn(db: Db, dataDir: string): Promise<{ app: FastifyInstance; clock: TestClock }> {
  const clock = new TestClock(new Date(DEFAULT_NOW))
  const app = await buildApp({ config: testConfig(dataDir), db, clock: clock.now, logger: Boolean(process.env.FABRIK_TEST_LOG) })
  return { app, clock }
}

/** A second, independent connection on the same file (another process, as far as SQLite is concerned). */
export function otherConnection(file: string): SQLite.Database {
  const other = new SQLite(file, { timeout: 0 })
  other.pragma('foreign_keys = ON')
  return other
}

export function integrity(sqlite: SQLite.Database): string {
  return (sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ')
}

export function count(sqlite: SQLite.Database, query: string): number {
  return (sqlite.prepare(query).pluck().get() as number | bigint) as number
}

/** Everything a booking writes, counted; a failed booking must leave every figure unchanged. */
export function bookingCounts(sqlite: SQLite.Database) {
  return {
    holder: count(sqlite, 'select count(*) from holder'),
    initiative: count(sqlite, 'select count(*) from initiative'),
    initiative_holder: count(sqlite, 'select count(*) from initiative_holder'),
    pitch: count(sqlite, 'select count(*) from pitch'),
    outbox: count(sqlite, 'select count(*) from outbox'),
  }
}

/** Rows that only a half-written booking would leave behind. */
export function orphans(sqlite: SQLite.Database) {
  return {
    foreignKeyViolations: (sqlite.pragma('foreign_key_check') as unknown[]).length,
    holderWithoutPitch: count(sqlite, 'select count(*) from holder h where not exists (select 1 from pitch p where p.holder_id = h.id)'),
    initiativeWithoutPitch: count(sqlite, 'select count(*) from initiative i where not exists (select 1 from pitch p where p.initiative_id = i.id)'),
    initiativeWithoutHolder: count(sqlite, 'select count(*) from initiative i where not exists (select 1 from initiative_holder ih where ih.initiative_id = i.id)'),
    pitchWithoutMail: count(sqlite, 'select count(*) from pitch p where not exists (select 1 from outbox o where o.session_id = p.session_id and o.to_email = (select email from holder h where h.id = p.holder_id))'),
    pitchWithoutToken: count(sqlite, "select count(*) from pitch where token_hash like 'unset-%'"),
  }
}

export const NO_ORPHANS = {
  foreignKeyViolations: 0, holderWithoutPitch: 0, initiativeWithoutPitch: 0, initiativeWithoutHolder: 0, pitchWithoutMail: 0, pitchWithoutToken: 0,
}
