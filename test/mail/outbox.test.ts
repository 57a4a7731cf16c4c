import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/schema.js'
import {
  MAX_ATTEMPTS, claimDue, enqueueMail, findOutbox, listOutbox, markFailed, markRetry, markSent, messageDomain,
  hasNewerInThread, isPurged, type NewMail, outboxCounts, purgeBodies, requeue, retryDelaySeconds, shouldGiveUp,
} from '../../src/mail/outbox.js'
import { createPlatform } from '../helpers/app.js'
import { type TempDatabase, tempDatabase } from '../helpers/db.js'

const NOW = '2026-03-02T09:00:00.000Z'
const later = (s: number) => new Date(Date.parse(NOW) + s * 1000).toISOString()

export function newMail(overrides: Partial<NewMail> = {}): NewMail {
  return {
    kind: 'session.invitation', platformId: null, sessionId: null, threadKey: null,
    to: { name: 'Élodie Martin', email: 'elodie.martin@caf.example.org' },
    subject: 'Invitation', text: 'Bonjour\n', html: '<p>Bonjour</p>', ...overrides,
  }
}

let temp: TempDatabase
let db: Db
beforeEach(async () => {
  temp = await tempDatabase()
  db = temp.db
})
afterEach(async () => temp.close())

const statusOf = async (id: number) => (await db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status

describe('enqueueMail', () => {
  it('inserts one queued row, due now, with a stable Message-ID', async () => {
    const id = await enqueueMail(db, newMail({ ical: { method: 'REQUEST', content: 'BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n' } }), NOW, 'fabrik.example.org')
    const row = await db.selectFrom('outbox').selectAll().where('id', '=', id!).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: NOW, created_at: NOW, ical_method: 'REQUEST', lease_until: null })
    expect(row.message_id).toMatch(/^<outbox-[0-9a-f]{24}@fabrik\.example\.org>$/)
    const other = await enqueueMail(db, newMail(), NOW, 'fabrik.example.org')
    const second = await db.selectFrom('outbox').select('message_id').where('id', '=', other!).executeTakeFirstOrThrow()
    expect(second.message_id).not.toBe(row.message_id)
  })

  it('inserts once per dedupe key', async () => {
    const first = await enqueueMail(db, newMail({ dedupeKey: 'reminder:1:7' }), NOW, 'x.test')
    const again = await enqueueMail(db, newMail({ dedupeKey: 'reminder:1:7' }), NOW, 'x.test')
    expect(first).toBeTypeOf('number')
    expect(again).toBeNull()
    expect((await db.selectFrom('outbox').select('id').execute()).length).toBe(1)
  })

  it('supersedes queued and failed rows of the same thread, never sending or sent ones, nor other threads', async () => {
    const sent = await enqueueMail(db, newMail({ threadKey: 'session:1:contact:7' }), NOW, 'x.test')
    await claimDue(db, NOW, 120, 10)
    await markSent(db, sent!, NOW, '250 OK')
    const failed = await enqueueMail(db, newMail({ threadKey: 'session:1:contact:7' }), NOW, 'x.test')
    await claimDue(db, NOW, 120, 10)
    await markFailed(db, failed!, '550 5.1.1 No such user')
    const sending = await enqueueMail(db, newMail({ threadKey: 'session:1:contact:8' }), NOW, 'x.test')
    await claimDue(db, NOW, 120, 10)
    const queued = await enqueueMail(db, newMail({ threadKey: 'session:1:contact:7' }), NOW, 'x.test')
    const otherThread = await enqueueMail(db, newMail({ threadKey: 'session:1:contact:9' }), NOW, 'x.test')
    const unthreaded = await enqueueMail(db, newMail(), NOW, 'x.test')

    const cancel = await enqueueMail(db, newMail({ kind: 'session.cancelled', threadKey: 'session:1:contact:7' }), NOW, 'x.test')
    await enqueueMail(db, newMail({ kind: 'session.cancelled', threadKey: 'session:1:contact:8' }), NOW, 'x.test')

    expect(await statusOf(sent!)).toBe('sent')
    expect(await statusOf(queued!)).toBe('superseded')
    expect(await statusOf(failed!)).toBe('superseded')
    expect(await statusOf(sending!)).toBe('sending')
    expect(await statusOf(otherThread!)).toBe('queued')
    expect(await statusOf(unthreaded!)).toBe('queued')
    expect(await statusOf(cancel!)).toBe('queued')
  })

  it('does not supersede anything when the insert was a duplicate', async () => {
    await enqueueMail(db, newMail({ threadKey: 't', dedupeKey: 'd' }), NOW, 'x.test')
    const newer = await enqueueMail(db, newMail({ threadKey: 't' }), NOW, 'x.test')
    expect(await enqueueMail(db, newMail({ threadKey: 't', dedupeKey: 'd' }), NOW, 'x.test')).toBeNull()
    expect(await statusOf(newer!)).toBe('queued')
  })

  it('runs unchanged inside a transaction (rolled back with it)', async () => {
    await expect(db.transaction().execute(async (trx) => {
      await enqueueMail(trx, newMail(), NOW, 'x.test')
      throw new Error('the change failed')
    })).rejects.toThrow('the change failed')
    expect(await db.selectFrom('outbox').select('id').execute()).toEqual([])
  })
})

describe('claimDue', () => {
  it('claims due queued rows only, and leases them', async () => {
    const due = await enqueueMail(db, newMail(), NOW, 'x.test')
    await enqueueMail(db, newMail(), later(60), 'x.test')
    const rows = await claimDue(db, NOW, 120, 10)
    expect(rows.map((r) => r.id)).toEqual([due])
    expect(rows[0]).toMatchObject({ status: 'sending', lease_until: later(120) })
    expect(await claimDue(db, later(30), 120, 10)).toEqual([])
  })

  it('claims again a row whose worker died (lease expired), not before', async () => {
    const id = await enqueueMail(db, newMail(), NOW, 'x.test')
    await claimDue(db, NOW, 120, 10)
    expect(await claimDue(db, later(119), 120, 10)).toEqual([])
    const again = await claimDue(db, later(121), 120, 10)
    expect(again.map((r) => r.id)).toEqual([id])
    expect(again[0]!.lease_until).toBe(later(241))
  })

  it('respects the limit, oldest first', async () => {
    const ids: number[] = []
    for (let i = 0; i < 5; i++) ids.push((await enqueueMail(db, newMail(), NOW, 'x.test'))!)
    expect((await claimDue(db, NOW, 120, 3)).map((r) => r.id)).toEqual(ids.slice(0, 3))
    expect((await claimDue(db, NOW, 120, 3)).map((r) => r.id)).toEqual(ids.slice(3))
  })

  it('never gives the same row to two workers claiming at the same time', async () => {
    const other = temp.connect()
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 30; i++) await enqueueMail(db, newMail(), NOW, 'x.test')
      const [a, b] = await Promise.all([claimDue(db, NOW, 120, 20), claimDue(other, NOW, 120, 20)])
      const ids = [...a, ...b].map((r) => r.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBe(30)
      await db.updateTable('outbox').set({ status: 'sent' }).where('status', '=', 'sending').execute()
    }
  })
})

describe('state changes', () => {
  it('retry, fail, requeue and sent', async () => {
    const id = (await enqueueMail(db, newMail(), NOW, 'x.test'))!
    await claimDue(db, NOW, 120, 10)
    await markRetry(db, id, 1, later(60), '451 4.3.0 Try again later')
    expect(await findOutboxRow(id)).toMatchObject({ status: 'queued', attempts: 1, next_attempt_at: later(60), lease_until: null, last_error: '451 4.3.0 Try again later' })
    await claimDue(db, later(60), 120, 10)
    await markFailed(db, id, '550 5.1.1 No such user')
    expect(await findOutboxRow(id)).toMatchObject({ status: 'failed', attempts: 2, last_error: '550 5.1.1 No such user' })
    expect(await requeue(db, id, later(100))).toBe(true)
    expect(await findOutboxRow(id)).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: later(100) })
    expect(await requeue(db, id, later(100))).toBe(false) // only failed rows go back
    await claimDue(db, later(100), 120, 10)
    await markSent(db, id, later(101), '250 OK')
    expect(await findOutboxRow(id)).toMatchObject({ status: 'sent', attempts: 1, sent_at: later(101), last_error: null })
  })

  it('requeues a failed row only while it is the newest of its thread and still has its content', async () => {
    const fail = async (id: number) => {
      await db.updateTable('outbox').set({ status: 'sending' }).where('id', '=', id).execute()
      await markFailed(db, id, '550')
    }
    const older = (await enqueueMail(db, newMail({ threadKey: 't:1' }), NOW, 'x.test'))!
    await fail(older)
    // A newer row of the thread that did not supersede it (one written before failed rows were superseded).
    const newer = (await db.insertInto('outbox').values({ ...(await findOutboxRow(older)), id: undefined, message_id: '<newer@x.test>', status: 'sent' }).returning('id').executeTakeFirstOrThrow()).id
    expect(await hasNewerInThread(db, await findOutboxRow(older))).toBe(true)
    expect(await hasNewerInThread(db, await findOutboxRow(newer))).toBe(false)
    expect(await requeue(db, older, later(1))).toBe(false)
    expect(await statusOf(older)).toBe('failed')

    const purged = (await enqueueMail(db, newMail(), NOW, 'x.test'))!
    await fail(purged)
    expect(await purgeBodies(db, later(1))).toEqual(expect.arrayContaining([{ id: purged, kind: 'session.invitation' }]))
    expect(isPurged(await findOutboxRow(purged))).toBe(true)
    expect(await requeue(db, purged, later(2))).toBe(false)
  })

  it('does not touch a row the worker no longer holds', async () => {
    const id = (await enqueueMail(db, newMail(), NOW, 'x.test'))!
    await markSent(db, id, NOW, '250 OK')
    expect(await statusOf(id)).toBe('queued')
  })
})

describe('listing', () => {
  it('lists, finds and counts per platform, newest first', async () => {
    const p1 = await createPlatform(db, { slug: 'a' })
    const p2 = await createPlatform(db, { slug: 'b' })
    const ids: number[] = []
    for (let i = 0; i < 3; i++) ids.push((await enqueueMail(db, newMail({ platformId: p1.id }), NOW, 'x.test'))!)
    const foreign = (await enqueueMail(db, newMail({ platformId: p2.id }), NOW, 'x.test'))!
    await claimDue(db, NOW, 120, 1)
    await markFailed(db, ids[0]!, 'boom')
    expect((await listOutbox(db, p1.id, { limit: 50, offset: 0 })).map((r) => r.id)).toEqual([...ids].reverse())
    expect((await listOutbox(db, p1.id, { limit: 1, offset: 1 })).map((r) => r.id)).toEqual([ids[1]])
    expect((await listOutbox(db, p1.id, { limit: 50, offset: 0, status: 'failed' })).map((r) => r.id)).toEqual([ids[0]])
    expect(await findOutbox(db, p1.id, foreign)).toBeUndefined()
    expect((await findOutbox(db, p2.id, foreign))?.id).toBe(foreign)
    expect(await outboxCounts(db, p1.id)).toEqual({ queued: 2, sending: 0, sent: 0, failed: 1, superseded: 0, total: 3 })
  })
})

describe('retry policy', () => {
  it('waits longer each time, from a minute to a day, and gives up after about two days', () => {
    const delays = Array.from({ length: 10 }, (_, i) => retryDelaySeconds(i + 1))
    expect(delays.slice(0, 8)).toEqual([60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600])
    expect(delays[9]).toBe(24 * 3600)
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!)
    const total = delays.slice(0, MAX_ATTEMPTS - 1).reduce((a, b) => a + b, 0)
    expect(total / 3600).toBeGreaterThan(40)
    expect(total / 3600).toBeLessThan(56)
    expect(shouldGiveUp(MAX_ATTEMPTS - 1)).toBe(false)
    expect(shouldGiveUp(MAX_ATTEMPTS)).toBe(true)
  })

  it('derives the Message-ID domain from the public URL', () => {
    expect(messageDomain('https://fabrik.example.org/base')).toBe('fabrik.example.org')
    expect(messageDomain('not a url')).toBe('localhost')
  })
})

function findOutboxRow(id: number) {
  return db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}
