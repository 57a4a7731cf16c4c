import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { createTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { RESTORED_LINE, restoreRefusal } from '../../src/sessions/restore.js'
import { buildTestApp, type Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'
import { anInvitedContact } from '../helpers/factories.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'
import { bookConfirmed, bookingFields, publishedSession } from '../pitches/helpers.js'

// "Annuler la séance" can be undone (#24 §6): the cancellations wait a minute in the outbox (UNDO_GRACE_SECONDS),
// "Rétablir la séance" withdraws those still waiting (nobody receives anything) and, for those whose CANCEL
// left, sends a REQUEST with a higher SEQUENCE that puts the session back in their calendar.

const SESSION = '/admin/p/test/sessions/2026-12-18'
const PEOPLE = ['helene.dupre@caf.example.org', 'marc.petit@caf.example.org', 'porteur1@example.org']

describe('undo "Annuler la séance"', () => {
  let t: TestApp
  let p: Platform
  let sessionId: number
  let admin: Client
  let peer: SmtpPeer
  beforeEach(async () => {
    t = await buildTestApp({ config: { undoGraceSeconds: 60 } })
    p = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, p)
    for (const person of [{ name: 'Hélène Dupré', email: PEOPLE[0]! }, { name: 'Marc Petit', email: PEOPLE[1]! }]) {
      await anInvitedContact(t.db, t.config.sessionSecret, p, sessionId, person)
    }
    await bookConfirmed(t.app, t.db, '/test/sessions/2026-12-18/pitch', bookingFields(1))
    await t.db.deleteFrom('outbox').execute()
    admin = await facilitatorClient(t.app, t.db, [p.id])
    peer = await startSmtpPeer()
    t.app.ctx.config.smtpUrl = peer.url
  })
  afterEach(async () => {
    await peer.close()
    await t.close()
  })

  async function deliver() {
    const transport = createTransport(t.app.ctx.config)
    try {
      return (await deliverDue(t.app.ctx, transport)).sent
    } finally {
      await transport.close()
    }
  }
  const session = () => t.db.selectFrom('session').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow()
  const feedEvent = async () => {
    const feed = await t.app.inject('/test/calendar.ics')
    expect(lintIcs(feed.body)).toEqual([])
    return parseIcs(feed.body).events.find((e) => e.start.startsWith('2026-12-18'))!
  }
  async function cancel() {
    const ask = await admin.get(`${SESSION}/cancel`)
    expect(ask.body).toContain('Les messages partent dans 1 minute')
    expect((await admin.post(`${SESSION}/cancel`, { _csrf: csrfToken(ask.body), confirm: 'yes' })).statusCode).toBe(303)
    return (await session()).sequence
  }

  it('restored within the grace period: nobody receives anything, the session is published again, feeds show it with a higher SEQUENCE', async () => {
    const cancelSequence = await cancel()
    expect(await deliver()).toBe(0) // held for a minute
    expect((await feedEvent()).status).toBe('CANCELLED')
    const page = (await admin.get(SESSION)).body
    expect(page).toContain('L’annulation a été envoyée à 3 personnes.')
    expect(page).toContain('Les messages partent dans 1 minute')
    expect(page).toContain(`href="${SESSION}/restore"`)

    const before = await t.db.selectFrom('outbox').select('id').execute()
    const ask = await admin.get(`${SESSION}/restore`)
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('data-restore-silent="3" data-restore-told="0"')
    expect(ask.body).toContain('Hélène Dupré')
    expect(await t.db.selectFrom('outbox').select('id').execute()).toEqual(before) // the GET writes nothing
    expect((await session()).status).toBe('cancelled')

    const res = await admin.post(`${SESSION}/restore`, { _csrf: csrfToken(ask.body) })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${SESSION}?restored=0&withdrawn=3`)
    expect((await admin.get(res.headers.location!)).body).toContain('personne ne reçoit rien')
    const s = await session()
    expect(s.status).toBe('published')
    expect(s.cancelled_at).toBeNull()
    expect(s.sequence).toBeGreaterThan(cancelSequence)
    const rows = await t.db.selectFrom('outbox').select(['kind', 'status']).execute()
    expect(rows).toEqual(PEOPLE.map(() => ({ kind: 'session.cancelled', status: 'superseded' })))

    t.clock.advance(10 * 60_000)
    expect(await deliver()).toBe(0)
    expect(peer.messages).toHaveLength(0)
    const event = await feedEvent()
    expect(event.status).toBe('CONFIRMED')
    expect(event.sequence).toBe(s.sequence)
    expect(event.sequence!).toBeGreaterThan(cancelSequence)
  })

  it('restored after the cancellations left: each person gets a REQUEST with a higher SEQUENCE saying the session takes place', async () => {
    const cancelSequence = await cancel()
    t.clock.advance(61_000)
    expect(await deliver()).toBe(3)
    expect((await admin.get(SESSION)).body).toContain('Les messages sont partis')
    const ask = await admin.get(`${SESSION}/restore`)
    expect(ask.body).toContain('data-restore-silent="0" data-restore-told="3"')
    expect(ask.body).toContain('Oui, rétablir la séance et prévenir les 3 personnes')

    const res = await admin.post(`${SESSION}/restore`, { _csrf: csrfToken(ask.body) })
    expect(res.headers.location).toBe(`${SESSION}?restored=3&withdrawn=0`)
    expect(await deliver()).toBe(3) // a correction leaves at once
    const got = await peer.waitFor(6)
    const requests = got.slice(3)
    expect(requests.flatMap((m) => m.envelope.rcptTo.map((r) => r.address)).sort()).toEqual(PEOPLE)
    for (const m of requests) {
      expect(m.parsed.text).toContain(RESTORED_LINE)
      const cal = m.parsed.attachments.find((a) => a.contentType === 'text/calendar')!
      expect(lintIcs(cal.content)).toEqual([])
      const ics = parseIcs(cal.content)
      expect(ics.method).toBe('REQUEST')
      expect(ics.events[0]!.status).toBe('CONFIRMED')
      expect(ics.events[0]!.sequence!).toBeGreaterThan(cancelSequence)
    }
    // The CANCELs that left carried the lower SEQUENCE, with the same UID.
    for (const m of got.slice(0, 3)) {
      const cal = parseIcs(m.parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content)
      expect(cal.method).toBe('CANCEL')
      expect(cal.events[0]!.sequence).toBe(cancelSequence)
      expect(cal.events[0]!.uid).toBe(parseIcs(requests[0]!.parsed.attachments.find((a) => a.contentType === 'text/calendar')!.content).events[0]!.uid)
    }
  })

  it('refuses once the session date has passed, and for a session that is not cancelled, in French', async () => {
    const notCancelled = await admin.get(`${SESSION}/restore`)
    expect(notCancelled.body).toContain('n’est pas annulée')
    expect(notCancelled.body).not.toContain('Oui, rétablir')
    expect((await admin.post(`${SESSION}/restore`, { _csrf: csrfToken((await admin.get(SESSION)).body) })).statusCode).toBe(409)

    await cancel()
    t.clock.set('2026-12-18T09:00:00.000Z') // the session (09:00 Paris) has begun
    await admin.login('camille@test.example.org')
    const page = (await admin.get(SESSION)).body
    expect(page).not.toContain(`href="${SESSION}/restore"`)
    expect(page).toContain('elle ne peut plus être rétablie')
    const refused = await admin.post(`${SESSION}/restore`, { _csrf: csrfToken(page) })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('Cette séance est passée : elle ne peut plus être rétablie.')
    expect((await session()).status).toBe('cancelled')
  })

  it('a draft cancelled goes back to draft; the rule is the pure restoreRefusal', async () => {
    await t.db.updateTable('session').set({ status: 'draft' }).where('id', '=', sessionId).execute()
    await cancel()
    expect((await admin.submit(`${SESSION}/restore`, {})).statusCode).toBe(303)
    expect((await session()).status).toBe('draft')
    const now = new Date('2026-12-01T00:00:00Z')
    expect(restoreRefusal({ status: 'cancelled', starts_at: '2026-12-18T08:00:00.000Z' }, now)).toBeNull()
    expect(restoreRefusal({ status: 'published', starts_at: '2026-12-18T08:00:00.000Z' }, now)).toMatch(/pas annulée/)
    expect(restoreRefusal({ status: 'cancelled', starts_at: '2026-11-18T08:00:00.000Z' }, now)).toMatch(/passée/)
  })
})
