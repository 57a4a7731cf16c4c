import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/index.js'
import type { Db } from '../../src/db/schema.js'
import { skipOnPostgres } from './sqlite.js'

// better-sqlite3 answers synchronously: a loop of transactions (the worker's beat queueing thousands of
// reminders) would otherwise resolve only microtasks and keep every request waiting until it ended. Each
// committed transaction lets the event loop turn (db/sqlite-driver.ts): a timer due now fires within the loop.

describe.skipIf(skipOnPostgres('test/faults/event-loop.test.ts'))('a long loop of SQLite transactions', () => {
  let dataDir = ''
  let db: Db | null = null
  afterEach(async () => {
    await db?.destroy()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('lets the event loop turn between transactions', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fabrik-loop-'))
    db = createDatabase({ dataDir, databaseUrl: null })
    const loops = 200
    let done = 0
    let firedAfter: number | null = null
    setTimeout(() => { firedAfter = done }, 0)
    for (let i = 0; i < loops; i++) {
      await db.transaction().execute((trx) => sql`select 1`.execute(trx))
      done++
    }
    expect(firedAfter).not.toBeNull()
    expect(firedAfter!).toBeLessThan(loops)
  })
})
