import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type SQLite from 'better-sqlite3'
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely'

// Kysely's SQLite driver, with three corrections:
// - Waiting for another process's write lock never blocks the event loop. better-sqlite3's busy handler
//   waits synchronously (every request stalled while `npm run mail:work`, a backup or a script held the lock:
//   measured 5.8–6.4 s for /healthz). SQLite's own busy timeout is 0 here; a statement that meets the lock
//   gives the connection back, waits a few milliseconds on a timer, and tries again until `waitMs` has passed
//   (then SQLITE_BUSY reaches errors.ts: 503, nothing written). Meanwhile other requests' reads run: in WAL
//   mode nothing another process does blocks a reader.
// - BEGIN IMMEDIATE: a plain BEGIN that reads before it writes fails with SQLITE_BUSY at once when another
//   connection holds the write lock (SQLite never runs the busy handler to upgrade a read transaction).
//   Every transaction of the app writes, so each takes the lock up front (kysely issue #1152). Inside a
//   transaction the lock is then ours: no statement there can meet it again.
// - A committed transaction lets the event loop turn once before its caller goes on. better-sqlite3 answers
//   synchronously, so a loop of transactions (the worker's beat queueing thousands of reminders) resolved only
//   microtasks and kept every request waiting until it ended (measured: /healthz unanswered 15 s while the
//   first beat on the bench's dataset queued 9,750 referral reminders).
// - When COMMIT fails on a full disk, SQLite has already rolled back; Kysely's ROLLBACK would then fail with
//   "cannot rollback - no transaction is active", hiding the SQLITE_FULL that errors.ts turns into a 503.

export interface Statements {
  prepare(sql: string): SQLite.Statement
}

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY'])
const isBusy = (error: unknown) => BUSY.has((error as { code?: string })?.code ?? '')

/** One connection, taken in turn (SQLite has one writer; Kysely's driver does the same). */
class Turns {
  private current: Promise<void> | undefined
  private release: (() => void) | undefined
  async take(): Promise<void> {
    while (this.current) await this.current
    this.current = new Promise((resolve) => { this.release = resolve })
  }
  give(): void {
    const release = this.release
    this.current = undefined
    this.release = undefined
    release?.()
  }
}

export class FabrikSqliteDriver implements Driver {
  private readonly turns = new Turns()
  private readonly connection: DatabaseConnection

  constructor(private readonly sqlite: SQLite.Database, statements: Statements, private readonly waitMs: number) {
    this.connection = {
      executeQuery: <R>(query: CompiledQuery) => this.untilFree(() => run<R>(statements, query)),
      streamQuery: () => { throw new Error('streaming is not used with SQLite') },
    }
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.turns.take()
    return this.connection
  }

  async releaseConnection(): Promise<void> {
    this.turns.give()
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'))
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'))
    await nextTurn()
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`))
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to "${name}"`))
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`))
  }

  async destroy(): Promise<void> {
    this.sqlite.close()
  }

  /**
   * Runs `statement`; while another process holds the lock (and we hold no transaction), gives our turn
   * back, waits 2, 4 … 50 ms, takes a turn again and retries, until `waitMs` has passed.
   */
  private async untilFree<T>(statement: () => T): Promise<T> {
    const deadline = Date.now() + this.waitMs
    for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
      try {
        return statement()
      } catch (error) {
        if (!isBusy(error) || this.sqlite.inTransaction || Date.now() >= deadline) throw error
      }
      this.turns.give()
      await sleep(pause)
      await this.turns.take()
    }
  }
}

function run<R>(statements: Statements, query: CompiledQuery): QueryResult<R> {
  const statement = statements.prepare(query.sql)
  const parameters = query.parameters as unknown[]
  if (statement.reader) return { rows: statement.all(parameters) as R[] }
  const { changes, lastInsertRowid } = statement.run(parameters)
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
}
