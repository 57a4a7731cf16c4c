import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Client, createPlatform } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import {
  appOn, bookingCounts, count, integrity, kill, NO_ORPHANS, openAppSqlite, orphans, skipOnPostgres, startWriter, writerBatchSize,
} from './sqlite.js'

// Issue #11, faults: the process is killed (SIGKILL: no handler, no cleanup) while it writes, five times in a
// row on the same file. Each time the database must open intact, with every acknowledged booking and no
// half-written one; and after the fifth, the app serves it and takes a new booking.

const ROUNDS = 5

describe.skipIf(skipOnPostgres('test/faults/kill.test.ts'))('SIGKILL in the middle of writes', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-kill-'))
  let file: string
  let platformId: number
  let sessionId: number

  beforeAll(async () => {
    const { db, file: f } = openAppSqlite(dataDir)
    file = f
    await migrateToLatest(db)
    platformId = (await createPlatform(db)).id
    sessionId = await publishedSession(db, (await db.selectFrom('platform').selectAll().executeTakeFirstOrThrow()))
    await db.destroy()
  })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it(`keeps the database intact and every acknowledged booking whole, ${ROUNDS} kills in a row`, async () => {
    const rounds: string[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const before = openAppSqlite(dataDir)
      const pitchesBefore = count(before.sqlite, 'select count(*) from pitch')
      await before.db.destroy()

      const writer = startWriter(file, platformId, sessionId)
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

      // Opening it as the app does replays or discards the WAL.
      const after = openAppSqlite(dataDir)
      try {
        expect(integrity(after.sqlite), where).toBe('ok')
        expect(orphans(after.sqlite), where).toEqual(NO_ORPHANS)
        // Each transaction was one batch of bookings: a batch is there whole or not at all.
        const names = after.sqlite.prepare("select name from holder where name like 'Batch %'").pluck().all() as string[]
        const batches = new Map<string, { seen: number; size: number }>()
        for (const name of names) {
          const m = /^Batch (\S+) (\d+)\/(\d+)$/.exec(name)!
          const b = batches.get(m[1]!) ?? { seen: 0, size: Number(m[3]) }
          b.seen += 1
          batches.set(m[1]!, b)
        }
        expect([...batches].filter(([, b]) => b.seen !== b.size), where).toEqual([])
        // Nothing acknowledged is lost (synchronous = FULL); at most the batch in flight made it without its ack.
        const added = count(after.sqlite, 'select count(*) from pitch') - pitchesBefore
        expect([acked.bookings, acked.bookings + writerBatchSize(acked.batches)], where).toContain(added)
        const c = bookingCounts(after.sqlite)
        expect(c.holder, where).toBe(c.pitch)
        expect(c.outbox, where).toBe(c.pitch)
      } finally {
        await after.db.destroy()
      }
    }
    console.info(`SIGKILL ×${ROUNDS}:\n  ${rounds.join('\n  ')}`)

    // The killed-five-times file runs the app, which books as usual.
    const { db, sqlite } = openAppSqlite(dataDir)
    const { app } = await appOn(db, dataDir)
    try {
      expect((await app.inject('/healthz')).statusCode).toBe(200)
      const res = await new Client(app).submit('/test/sessions/2026-12-18/pitch', bookingFields('apres'))
      expect(res.statusCode).toBe(303)
      expect(count(sqlite, "select count(*) from pitch join holder on holder.id = pitch.holder_id where email = 'porteurapres@example.org'")).toBe(1)
      expect(integrity(sqlite)).toBe('ok')
    } finally {
      await app.close()
    }
  })
})
