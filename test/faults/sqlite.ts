import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId } from 'kysely'
import { buildApp } from '../../src/app.js'
import { SQLITE_FILE } from '../../src/db/backup.js'
import type { Db } from '../../src/db/schema.js'
import { DEFAULT_NOW, TestClock, testConfig } from '../helpers/app.js'

// Shared by the fault tests (issue #11). They run the app on the database createDatabase opens — the
// production set-up, pragmas included — and look at the file through a second connection of their own.

export const pgUrl = process.env.FABRIK_TEST_PG_URL

/** Prints why a SQLite-only file is skipped under FABRIK_TEST_PG_URL, and returns whether to skip. */
export function skipOnPostgres(file: string): boolean {
  if (pgUrl) console.warn(`⚠ ${file} skipped: SQLite faults (file, locks, backup) and FABRIK_TEST_PG_URL is set`)
  return Boolean(pgUrl)
}

export const sqliteFile = (dataDir: string) => join(dataDir, SQLITE_FILE)

/** The real app on a database the test opened; app.close() destroys it. */
export async function appOn(db: Db, dataDir: string): Promise<FastifyInstance> {
  const clock = new TestClock(new Date(DEFAULT_NOW))
  return buildApp({ config: testConfig(dataDir), db, clock: clock.now, logger: Boolean(process.env.FABRIK_TEST_LOG) })
}

/** A second, independent connection on the file: another process, as far as SQLite is concerned. */
export function inspect(dataDir: string, busyTimeout = 5000): SQLite.Database {
  return new SQLite(sqliteFile(dataDir), { fileMustExist: true, timeout: busyTimeout })
}

export function integrity(sqlite: SQLite.Database): string {
  return (sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>).map((r) => r.integrity_check).join('; ')
}

export function count(sqlite: SQLite.Database, query: string): number {
  return Number(sqlite.prepare(query).pluck().get())
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
    pitchWithoutMail: count(sqlite, 'select count(*) from pitch p join holder h on h.id = p.holder_id where not exists (select 1 from outbox o where o.session_id = p.session_id and o.to_email = h.email)'),
    pitchWithoutToken: count(sqlite, "select count(*) from pitch where token_hash like 'unset-%'"),
  }
}

export const NO_ORPHANS = {
  foreignKeyViolations: 0, holderWithoutPitch: 0, initiativeWithoutPitch: 0, initiativeWithoutHolder: 0, pitchWithoutMail: 0, pitchWithoutToken: 0,
}

export interface Statement { kind: string; table: string | null; ok: boolean }

/** A Kysely plugin that lists the statements run through it, and which of them completed. */
export class StatementLog implements KyselyPlugin {
  readonly statements: Statement[] = []
  private pending = new WeakMap<QueryId, Statement>()

  transformQuery(args: PluginTransformQueryArgs) {
    const statement = { kind: args.node.kind, table: tableOf(args.node), ok: false }
    this.statements.push(statement)
    this.pending.set(args.queryId, statement)
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs) {
    const statement = this.pending.get(args.queryId)
    if (statement) statement.ok = true
    return args.result
  }

  /** Tables written by completed statements, and the first statement that did not complete. */
  summary() {
    const writes = this.statements.filter((s) => s.ok && (s.kind === 'InsertQueryNode' || s.kind === 'UpdateQueryNode')).map((s) => s.table)
    return { writes, failed: this.statements.find((s) => !s.ok) ?? null }
  }
}

function tableOf(node: OperationNode): string | null {
  const n = node as { into?: { table?: { identifier?: { name?: string } } }; table?: { table?: { identifier?: { name?: string } } } }
  return n.into?.table?.identifier?.name ?? n.table?.table?.identifier?.name ?? null
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
export function startWriter(dataDir: string, platformId: number, sessionId: number, pauseMs = 0): Writer {
  const args = [WRITER, sqliteFile(dataDir), String(platformId), String(sessionId), String(pauseMs)]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
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
