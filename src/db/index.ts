import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { type Driver, Kysely, PostgresAdapter, PostgresDialect, SqliteDialect, sql } from 'kysely'
import type pgModule from 'pg'
import { requireLater } from '../require-later.js'
import type { Database, Db } from './schema.js'
import { type Commits, FabrikSqliteDriver } from './sqlite-driver.js'

/** The PostgreSQL driver, loaded only by an instance that uses PostgreSQL. */
const requirePg = requireLater<typeof pgModule>('pg')
function loadPg(): typeof pgModule {
  const pg = requirePg()
  // PostgreSQL's bigint (count(*), sums) would arrive as strings; our ids and counts fit a JS number.
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10))
  return pg
}

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
    const pool = new (loadPg().Pool)({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 })
    // An idle connection the server closes (restart, failover) must not crash the process: the pool
    // drops it and opens a new one on the next query.
    pool.on('error', (error) => console.error(`PostgreSQL idle connection lost: ${error.message}`))
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  }
  // The database holds names, emails and phone numbers: the folder is the owner's alone.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const file = join(options.dataDir, 'fabrik.sqlite')
  ownerOnly(file)
  // No busy wait inside SQLite: it would block the event loop (sqlite-driver.ts waits on a timer instead).
  const sqlite = new SQLite(file, { timeout: 0 })
  sqlite.pragma('journal_mode = WAL')
  // What is deleted or overwritten (a purged mail body, an erased person) is zeroed, not left in free pages.
  sqlite.pragma('secure_delete = ON')
  // FULL: a booking or an answer acknowledged to a person survives a power cut, not only a crash.
  sqlite.pragma('synchronous = FULL')
  sqlite.pragma('foreign_keys = ON')
  const changes = new SqliteChanges(sqlite)
  const commits: Commits = { real: 0, transactions: 0 }
  const db = new Kysely<Database>({ dialect: new FabrikSqliteDialect(sqlite, changes, commits, options.busyTimeout ?? 5000) })
  trackers.set(db.getExecutor().adapter, { mark: () => changes.mark(), memo: new Map(), commits })
  return db
}

/** On SQLite: how many real COMMITs this handle made, for how many transactions (group commit, sqlite-driver.ts). */
export function sqliteCommits(db: Db): Commits | undefined {
  const commits = trackers.get(db.getExecutor().adapter)?.commits
  return commits && { ...commits }
}

/**
 * The database file (and so its -wal and -shm, which SQLite creates with the database file's mode) readable
 * by its owner only: created empty with 0600 before SQLite opens it (SQLite would use 0644 under the usual
 * umask), or narrowed to 0600 if an older version left it wider.
 */
function ownerOnly(file: string): void {
  closeSync(openSync(file, 'a', 0o600))
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    }
  }
}

// What lets a lookup be trusted again without asking: a mark that differs whenever the database may have
// changed since it was taken (SQLite only; PostgreSQL has other instances writing without telling us), and
// what was read under each mark. By adapter: a handle with a plugin (withPlugin) or a transaction shares its
// database's adapter.
const trackers = new WeakMap<object, { mark: () => string; memo: Map<string, { mark: string; value: unknown }>; commits: Commits }>()

/**
 * `read()`, remembered under `key` (name it with its kind: `platform:lens`) until the database's change mark
 * moves; asked every time where the database cannot tell (PostgreSQL). For the small lookups every request
 * starts with. `undefined` (not found) is not remembered, so made-up keys cannot fill the memory; it is
 * emptied past 1000 keys anyway.
 */
export async function readUntilChanged<T>(db: Db, key: string, read: () => Promise<T | undefined>): Promise<T | undefined> {
  const tracker = trackers.get(db.getExecutor().adapter)
  const mark = tracker?.mark() // before reading: a write during the read moves it, and the next call reads again
  const known = tracker?.memo.get(key)
  if (known && known.mark === mark) return known.value as T
  const value = await read()
  if (tracker && mark !== undefined && value !== undefined) {
    if (tracker.memo.size >= 1000) tracker.memo.clear()
    tracker.memo.set(key, { mark, value })
  }
  return value
}

/**
 * On SQLite: this process's writes, counted as each writing statement is handed to SQLite (so the mark moves
 * before the write commits, never after a read of the old state could be trusted), and the commits of other
 * processes (a mail worker, a seed, a hand-made fix), which PRAGMA data_version reveals.
 */
class SqliteChanges {
  private writes = 0
  private readonly dataVersion: SQLite.Statement<[], number>
  constructor(sqlite: SQLite.Database) {
    this.dataVersion = sqlite.prepare<[], number>('pragma data_version').pluck()
  }
  wrote(): void {
    this.writes++
  }
  mark(): string {
    return `${this.writes}:${this.dataVersion.get()}`
  }
}

export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter
}

/**
 * After content was erased (purged mail bodies): on SQLite, copies the write-ahead log into the database
 * file and empties it, so the erased text no longer lies in old log frames (secure_delete zeroes it in the
 * file). Best effort: a checkpoint that meets a busy reader leaves the log for SQLite's next one.
 */
export async function truncateLog(db: Db): Promise<void> {
  if (!isPostgres(db)) await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
}

/**
 * Kysely prepares every query anew; SQLite compiling the same text again and again was the largest cost of a
 * small page. Statements are kept by their SQL text (the few hundred the app has; lists of ids vary, so the
 * oldest go first past `max`). A statement runs to completion before the next query on the connection.
 */
function withStatementCache(sqlite: SQLite.Database, changes: SqliteChanges, max = 500) {
  const statements = new Map<string, SQLite.Statement>()
  return {
    prepare(text: string): SQLite.Statement {
      let statement = statements.get(text)
      if (!statement) {
        statement = sqlite.prepare(text)
        if (statements.size >= max) statements.delete(statements.keys().next().value!)
        statements.set(text, statement)
      }
      // Kysely runs what it prepares, at once. `insert … returning` is a reader to SQLite, and a write.
      if (!statement.reader || !/^\s*(select|with|pragma)\b/i.test(text)) changes.wrote()
      return statement
    },
    undone: () => changes.wrote(),
  }
}

class FabrikSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database, private readonly changes: SqliteChanges, private readonly commits: Commits, private readonly waitMs: number) {
    super({ database: sqlite })
  }
  override createDriver(): Driver {
    return new FabrikSqliteDriver(this.sqlite, withStatementCache(this.sqlite, this.changes), this.commits, this.waitMs)
  }
}
