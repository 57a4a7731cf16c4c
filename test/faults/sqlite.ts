import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
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

export interface OpenOptions {
  /** SQLite busy timeout in ms (createDatabase's default: 5000). */
  busyTimeout?: number
  /** Called after every statement Kysely runs, with its SQL and whether it failed. */
  onQuery?: (sql: string, failed: boolean) => void
}

/** DATA_DIR/fabrik.sqlite opened as createDatabase does, with the raw handle at hand. */
export function openAppSqlite(dataDir: string, options: OpenOptions = {}): AppSqlite {
  const busyTimeout = options.busyTimeout ?? 5000
  mkdirSync(dataDir, { recursive: true })
  const file = join(dataDir, SQLITE_FILE)
  const sqlite = new SQLite(file, { timeout: busyTimeout })
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${busyTimeout}`)
  const onQuery = options.onQuery
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    ...(onQuery ? { log: (event) => onQuery(event.query.sql, event.level === 'error') } : {}),
  })
  return { sqlite, db, file }
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

export const WRITER = fileURLToPath(new URL('./fixtures/writer.mjs', import.meta.url))

/** The writer's batch sizes (the same formula as fixtures/writer.mjs): batch n (from 0) books 1 + n % 4 pitches. */
export const writerBatchSize = (batch: number) => 1 + (batch % 4)

export interface Writer {
  child: ChildProcess
  /** What the writer reported as committed so far. */
  acked: { batches: number; bookings: number }
  /** Resolves once `batches` commits were acknowledged; rejects if the writer dies first. */
  waitFor(batches: number): Promise<void>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stderr(): string
}

/** Starts test/faults/fixtures/writer.mjs on a migrated database with a platform and a session. */
export function startWriter(file: string, platformId: number, sessionId: number, pauseMs = 0): Writer {
  const child = spawn(process.execPath, [WRITER, file, String(platformId), String(sessionId), String(pauseMs)], { stdio: ['ignore', 'pipe', 'pipe'] })
  const acked = { batches: 0, bookings: 0 }
  let err = ''
  let pending = ''
  const waiters: Array<{ batches: number; resolve: () => void }> = []
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      const m = /^committed (\d+) (\d+)$/.exec(line)
      if (m) { acked.batches = Number(m[1]); acked.bookings = Number(m[2]) }
    }
    for (const w of waiters.filter((w) => acked.batches >= w.batches)) w.resolve()
  })
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => { err += chunk })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    // 'close', not 'exit': every line the writer printed has been read by then.
    child.on('close', (code, signal) => resolve({ code, signal }))
  })
  return {
    child, acked, exited, stderr: () => err,
    waitFor: (batches) => new Promise<void>((resolve, reject) => {
      if (acked.batches >= batches) return resolve()
      waiters.push({ batches, resolve })
      void exited.then(({ code, signal }) => reject(new Error(`writer exited (${code ?? signal}) after ${acked.batches} batches: ${err}`)))
    }),
  }
}

/** SIGKILL, and the exit it causes. */
export async function kill(writer: Writer) {
  writer.child.kill('SIGKILL')
  return writer.exited
}
