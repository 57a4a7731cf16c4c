import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import type SQLite from 'better-sqlite3'
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult } from 'kysely'

// Kysely's SQLite driver, with these corrections (and group commit, below):
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
  /** What was written may have been undone (a rollback): anything read since must be read again. */
  undone(): void
}

const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY'])
const isBusy = (error: unknown) => BUSY.has((error as { code?: string })?.code ?? '')

/** One connection, taken in turn (SQLite has one writer; Kysely's driver does the same). */
class Turns {
  private current: Promise<void> | undefined
  private release: (() => void) | undefined
  private queued = 0
  async take(): Promise<void> {
    this.queued++
    try {
      while (this.current) await this.current
    } finally {
      this.queued--
    }
    this.current = new Promise((resolve) => { this.release = resolve })
  }
  give(): void {
    const release = this.release
    this.current = undefined
    this.release = undefined
    release?.()
  }
  /** Someone is waiting for the connection. */
  get waiting(): boolean {
    return this.queued > 0
  }
}

/**
 * Group commit. Durable commits (synchronous = FULL) cost a disk flush each — about as much as the whole
 * work of a booking on this machine, and better-sqlite3 waits for it on the event loop. So transactions
 * that come one after the other share a commit: each runs in a savepoint of one SQLite transaction, which
 * commits when nobody else is waiting for the connection (or the group is full). A transaction's commit
 * returns only when that real COMMIT has returned: nobody is told "done" before it is on disk, and a failed
 * COMMIT fails every transaction of the group (none of them was acknowledged). One that fails alone rolls
 * back to its savepoint: the others keep their work.
 * A query outside a transaction while a group is open: a read runs in it (the same connection sees its own
 * writes, as a later query would); anything else (a write, a pragma, VACUUM) commits the group first.
 */
const GROUP_MAX = 32

interface Group {
  members: number
  done: Array<{ resolve: () => void; reject: (error: unknown) => void }>
}

/** A turn on the connection, as Kysely holds it from acquireConnection to releaseConnection. */
interface Lease extends DatabaseConnection {
  /** Inside its transaction's savepoint: its queries are the transaction's. */
  member: boolean
  /** Its turn was handed to the next one while its transaction waits for the group's commit. */
  handedOver: boolean
}

const SAVEPOINT = 'fabrik_transaction'

/** Real COMMITs, and the transactions they committed (db/index.ts sqliteCommits; test/faults/group-commit.test.ts). */
export interface Commits { real: number; transactions: number }

export class FabrikSqliteDriver implements Driver {
  private readonly turns = new Turns()
  private group: Group | null = null
  constructor(private readonly sqlite: SQLite.Database, private readonly statements: Statements, private readonly commits: Commits, private readonly waitMs: number) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.turns.take()
    const lease: Lease = {
      member: false,
      handedOver: false,
      executeQuery: <R>(query: CompiledQuery) => this.untilFree(() => this.execute<R>(lease, query)),
      streamQuery: () => { throw new Error('streaming is not used with SQLite') },
    }
    return lease
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if ((connection as Lease).handedOver) return
    try {
      // The last query of a group's turn (a read that joined it): nobody left to join. A failed COMMIT fails
      // that query too (and every member); the turn is given back whatever happens.
      if (this.group && (!this.turns.waiting || this.group.members >= GROUP_MAX)) this.commitGroup()
    } finally {
      this.turns.give()
    }
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease
    // Decided again on every try: while another process holds the lock, our turn is given back meanwhile.
    await this.untilFree(() => {
      if (!this.group) {
        this.sqlite.exec('begin immediate')
        this.group = { members: 0, done: [] }
      }
    })
    this.group!.members++
    this.sqlite.exec(`savepoint ${SAVEPOINT}`)
    lease.member = true
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease
    this.sqlite.exec(`release ${SAVEPOINT}`)
    lease.member = false
    const committed = new Promise<void>((resolve, reject) => this.group!.done.push({ resolve, reject }))
    this.endOfTransaction(lease)
    await committed
    await nextTurn()
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease
    // Only a transaction still inside its savepoint: after a failed COMMIT (a full disk) SQLite has already
    // rolled back the whole group (commitGroup), and the connection may be another's by now.
    if (!lease.member) return
    lease.member = false
    this.sqlite.exec(`rollback to ${SAVEPOINT}`)
    this.sqlite.exec(`release ${SAVEPOINT}`)
    this.statements.undone()
    this.endOfTransaction(lease)
  }

  /** After a transaction of the group: the next one waiting joins it, else the group commits. */
  private endOfTransaction(lease: Lease): void {
    if (this.turns.waiting && this.group!.members < GROUP_MAX) {
      lease.handedOver = true
      this.turns.give()
    } else {
      try {
        this.commitGroup()
      } catch {
        // each member's promise carries the error
      }
    }
  }

  private commitGroup(): void {
    const group = this.group!
    this.group = null
    try {
      this.sqlite.exec('commit')
    } catch (error) {
      try {
        if (this.sqlite.inTransaction) this.sqlite.exec('rollback')
      } finally {
        this.statements.undone()
        for (const d of group.done) d.reject(error)
      }
      throw error
    }
    this.commits.real++
    this.commits.transactions += group.done.length
    for (const d of group.done) d.resolve()
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
    if (this.group) this.commitGroup()
    this.sqlite.close()
  }

  /** One query. Outside a transaction while a group is open, only a plain read joins the group. */
  private execute<R>(lease: Lease, query: CompiledQuery): QueryResult<R> {
    const statement = this.statements.prepare(query.sql)
    if (this.group && !lease.member && !(statement.readonly && /^\s*(select|with)\b/i.test(query.sql))) this.commitGroup()
    return run<R>(statement, query)
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

function run<R>(statement: SQLite.Statement, query: CompiledQuery): QueryResult<R> {
  const parameters = query.parameters as unknown[]
  if (statement.reader) return { rows: statement.all(parameters) as R[] }
  const { changes, lastInsertRowid } = statement.run(parameters)
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] }
}
