import { randomBytes } from 'node:crypto'
import { closeSync, existsSync, fsyncSync, linkSync, openSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import SQLite from 'better-sqlite3'

// An online, consistent copy of the embedded database while the app keeps writing. Never `cp` the live
// file: a copy taken between two writes of one transaction, or without the -wal beside it, is not a database.

/** The embedded database's file name inside DATA_DIR (as createDatabase opens it). */
export const SQLITE_FILE = 'fabrik.sqlite'

export class BackupError extends Error {}

export interface BackupResult {
  /** Size of the copy. */
  bytes: number
  /** Wall time of the whole backup: copy, check and sync. */
  ms: number
}

/**
 * Copies DATA_DIR/fabrik.sqlite to `target` with SQLite's backup API, checks the copy with
 * `PRAGMA integrity_check`, and only then gives it its name. Refuses to overwrite an existing file; on any
 * failure no file is left at `target`.
 */
export async function backupSqlite(dataDir: string, target: string): Promise<BackupResult> {
  const started = performance.now()
  const source = join(resolve(dataDir), SQLITE_FILE)
  const dest = resolve(target)
  if (!existsSync(source)) throw new BackupError(`No database at ${source}: check DATA_DIR.`)
  if (existsSync(dest)) throw new BackupError(`${dest} already exists: a backup never overwrites a file, choose a new name.`)
  if (!existsSync(dirname(dest))) throw new BackupError(`The folder ${dirname(dest)} does not exist.`)

  // Built under a temporary name in the target's folder, then linked to its name: a reader never sees a
  // half-written backup, and link() fails instead of replacing a file created in the meantime.
  const partial = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.partial`)
  try {
    // The copy holds people's names, emails and phone numbers: readable by its owner only (SQLite would
    // create it 0644). SQLite keeps the mode of the empty file it backs up into, and gives it to -wal/-shm.
    closeSync(openSync(partial, 'wx', 0o600))
    // A connection of our own, opened read-write like the app's although it only reads: a read-only one has
    // extra conditions on a WAL database (its -wal and -shm must exist or be creatable) and gains nothing.
    const db = new SQLite(source, { fileMustExist: true, timeout: 5000 })
    try {
      // All pages in one step, inside one read transaction: a consistent snapshot. With the default 100
      // pages per step, every write of the app (another connection) restarts the copy, possibly forever.
      await db.backup(partial, { progress: () => 0x7fffffff })
    } finally {
      db.close()
    }

    const copy = new SQLite(partial, { fileMustExist: true })
    try {
      const rows = copy.pragma('integrity_check') as Array<{ integrity_check: string }>
      const problems = rows.map((r) => r.integrity_check).filter((r) => r !== 'ok')
      if (problems.length) throw new BackupError(`The copy failed PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`)
      // A backup is one self-contained file, no -wal or -shm beside it; createDatabase switches it back to WAL.
      copy.pragma('journal_mode = DELETE')
    } finally {
      copy.close()
    }

    // SQLite does not sync the backup's file itself: it must reach the disk before we call it a backup.
    syncPath(partial)
    linkSync(partial, dest)
    syncPath(dirname(dest))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError(`${dest} appeared during the backup: a backup never overwrites a file, choose a new name.`)
    }
    throw error
  } finally {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(partial + suffix, { force: true })
  }
  return { bytes: statSync(dest).size, ms: Math.round(performance.now() - started) }
}

function syncPath(path: string) {
  const fd = openSync(path, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
