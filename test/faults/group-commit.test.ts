import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase, sqliteCommits } from '../../src/db/index.js'
import type { Db } from '../../src/db/schema.js'
import { inspect, skipOnPostgres } from './sqlite.js'

// Group commit (db/sqlite-driver.ts): transactions waiting for the connection share one durable COMMIT;
// each is told "done" only once that COMMIT returned, and one that fails undoes only its own work.

describe.skipIf(skipOnPostgres('test/faults/group-commit.test.ts'))('SQLite group commit', () => {
  let dataDir = ''
  let db: Db | null = null
  afterEach(async () => {
    await db?.destroy()
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function open() {
    dataDir = mkdtempSync(join(tmpdir(), 'fabrik-group-'))
    db = createDatabase({ dataDir, databaseUrl: null })
    await sql`create table t (n integer primary key)`.execute(db)
    return db
  }

  it('commits transactions that wait for each other together, each on disk when it returns', async () => {
    const db = await open()
    const other = inspect(dataDir)
    const seenOnDisk: number[] = []
    const before = sqliteCommits(db)!
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.transaction().execute(async (trx) => {
      await sql`insert into t (n) values (${i})`.execute(trx)
    }).then(() => {
      // Another connection (another process would see the same): committed before "done".
      seenOnDisk.push(other.prepare('select count(*) from t where n = ?').pluck().get(i) as number)
    })))
    other.close()
    const after = sqliteCommits(db)!
    expect(seenOnDisk).toEqual(Array(20).fill(1))
    expect(after.transactions - before.transactions).toBe(20)
    expect(after.real - before.real).toBeLessThan(5)
  })

  it('a transaction that fails in the middle of a group undoes only its own rows', async () => {
    const db = await open()
    const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => db.transaction().execute(async (trx) => {
      await sql`insert into t (n) values (${i})`.execute(trx)
      if (i === 4) throw new Error('refused')
    })))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    const rows = await sql<{ n: number }>`select n from t order by n`.execute(db)
    expect(rows.rows.map((r) => r.n)).toEqual([0, 1, 2, 3, 5, 6, 7, 8])
  })

  it('a write outside any transaction commits the open group first, and is on disk when it returns', async () => {
    const db = await open()
    const other = inspect(dataDir)
    const insert = (n: number) => db.transaction().execute((trx) => sql`insert into t (n) values (${n})`.execute(trx))
    // Transactions queued before and after it: the group is open when the plain write runs, and others wait
    // behind it, so it does not close the group by being last.
    const before = [1, 2, 3].map(insert)
    let seen: number | null = null
    const plain = sql`insert into t (n) values (10)`.execute(db).then(() => {
      seen = other.prepare('select count(*) from t where n in (1, 2, 3, 10)').pluck().get() as number
    })
    const after = [4, 5, 6].map(insert)
    await Promise.all([...before, plain, ...after])
    expect(seen).toBe(4)
    expect(other.prepare('select count(*) from t').pluck().get()).toBe(7)
    other.close()
  })
})
