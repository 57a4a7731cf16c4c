import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Client, createPlatform } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import {
  appOn, bookingCounts, count, inspect, integrity, kill, NO_ORPHANS, orphans, skipOnPostgres, startWriter, writerBatchSize,
} from './sqlite.js'

// Issue #11, faults: the process is killed (SIGKILL: no handler, no cleanup) while it writes, five times in a
// row on the same file. Each time the database must open intact, with every acknowledged booking and no
// half-written one; after the fifth, the app starts on it as `npm start` does and takes a new booking.

const ROUNDS = 5

describe.skipIf(skipOnPostgres('test/faults/kill.test.ts'))('SIGKILL in the middle of writes', () => {
  let dataDir: string
  let platformId: number
  let sessionId: number

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fabrik-kill-'))
    const db = createDatabase({ dataDir, databaseUrl: null })
    await migrateToLatest(db)
    const platform = await createPlatform(db)
    platformId = platform.id
    sessionId = await publishedSession(db, platform)
    await db.destroy()
  })
  afterAll(() => { if (dataDir) rmSync(dataDir, { recursive: true, force: true }) })

  it(`keeps the database intact and every acknowledged booking whole, ${ROUNDS} kills in a row`, async () => {
    const rounds: string[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const before = inspect(dataDir)
      const pitchesBefore = count(before, 'select count(*) from pitch')
      before.close()

      const writer = startWriter(dataDir, platformId, sessionId)
      // A random moment: after 3–30 commits, then 0–20 ms into whatever transaction is running.
      const afterBatches = 3 + Math.floor(Math.random() * 28)
      const delay = Math.floor(Math.random() * 21)
      await writer.waitFor(afterBatches)
      await sleep(delay)
      const exit = await kill(writer)
      const acked = { ...writer.acked }
      const where = `round ${round}: killed ${delay} ms after commit ${afterBatches}, ${acked.batches} batches / ${acked.bookings} bookings acknowledged`
      rounds.push(where)
      expect(exit.signal, `${where}; writer stderr: ${writer.stderr()}`).toBe('SIGKILL')

      // The next connection to open the file replays the committed part of the WAL and ignores the rest.
      const after = inspect(dataDir)
      try {
        expect(integrity(after), where).toBe('ok')
        expect(orphans(after), where).toEqual(NO_ORPHANS)
        // Each transaction was one batch of bookings: a batch is there whole or not at all.
        const names = after.prepare("select name from holder where name like 'Batch %'").pluck().all() as string[]
        const batches = new Map<string, { seen: number; size: number }>()
        for (const name of names) {
          const m = /^Batch (\S+) (\d+)\/(\d+)$/.exec(name)!
          const b = batches.get(m[1]!) ?? { seen: 0, size: Number(m[3]) }
          b.seen += 1
          batches.set(m[1]!, b)
        }
        expect([...batches].filter(([, b]) => b.seen !== b.size), where).toEqual([])
        // Nothing acknowledged is lost; at most the batch in flight made it without its acknowledgement.
        const added = count(after, 'select count(*) from pitch') - pitchesBefore
        expect([acked.bookings, acked.bookings + writerBatchSize(acked.batches)], where).toContain(added)
        const c = bookingCounts(after)
        expect(c.holder, where).toBe(c.pitch)
        expect(c.outbox, where).toBe(c.pitch)
      } finally {
        after.close()
      }
    }
    console.info(`SIGKILL ×${ROUNDS}:\n  ${rounds.join('\n  ')}`)

    // The killed-five-times file runs the app (as server.ts starts it), which books as usual.
    const db = createDatabase({ dataDir, databaseUrl: null })
    await migrateToLatest(db)
    const app = await appOn(db, dataDir)
    try {
      expect((await app.inject('/healthz')).statusCode).toBe(200)
      const res = await new Client(app).submit('/test/sessions/2026-12-18/pitch', bookingFields('apres'))
      expect(res.statusCode).toBe(303)
    } finally {
      await app.close()
    }
    const last = inspect(dataDir)
    expect(count(last, "select count(*) from pitch join holder on holder.id = pitch.holder_id where email = 'porteurapres@example.org'")).toBe(1)
    expect(integrity(last)).toBe('ok')
    expect(orphans(last)).toEqual(NO_ORPHANS)
    last.close()
  })
})
