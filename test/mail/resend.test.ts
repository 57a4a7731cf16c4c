import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { resendRefusal } from '../../src/mail/resend.js'
import { createTransport, type MailTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { bumpSequence } from '../../src/sessions/store.js'
import { personalToken } from '../../src/web/tokens.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { parseIcs } from '../helpers/ics-lint.js'
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'
import { publishedSession } from '../pitches/helpers.js'
import { invitedContact, queueInvitation } from './people.js'

// "Renvoyer" must never put an outdated event into someone's calendar (issue #25 §3): a failed REQUEST sent
// again after the session's CANCEL, or after a change that the message does not carry.

const DATE = '2026-12-18'
const HELENE = 'helene.dupre@caf.example.org'

describe('resendRefusal', () => {
  const failed = { status: 'failed' as const, text_body: 'Bonjour\n', ical_method: 'REQUEST' as const, thread_key: 'session:1:contact:7' }
  it('lets a failed message go again while nothing newer says otherwise', () => {
    expect(resendRefusal(failed, { newerInThread: false, calendar: 'current' })).toBeNull()
    expect(resendRefusal({ ...failed, ical_method: null, thread_key: null }, { newerInThread: false, calendar: null })).toBeNull()
    // A CANCEL stays right once the session is cancelled.
    expect(resendRefusal({ ...failed, ical_method: 'CANCEL' }, { newerInThread: false, calendar: 'cancelled' })).toBeNull()
  })
  it('refuses, in French, what would be outdated or is gone', () => {
    expect(resendRefusal(failed, { newerInThread: true, calendar: 'current' })).toMatch(/courrier plus récent/)
    expect(resendRefusal({ ...failed, status: 'superseded' }, { newerInThread: false, calendar: 'current' })).toMatch(/courrier plus récent/)
    expect(resendRefusal(failed, { newerInThread: false, calendar: 'cancelled' })).toMatch(/la séance a été annulée/)
    expect(resendRefusal(failed, { newerInThread: false, calendar: 'changed' })).toMatch(/la séance a changé.*« nouveau lien »/)
    expect(resendRefusal({ ...failed, thread_key: 'session:1:holder:3' }, { newerInThread: false, calendar: 'changed' })).toMatch(/Prévenez cette personne directement/)
    expect(resendRefusal(failed, { newerInThread: false, calendar: 'gone' })).toMatch(/n'existe plus/)
    expect(resendRefusal({ ...failed, text_body: '' }, { newerInThread: false, calendar: null })).toMatch(/effacé.*90 jours/)
    expect(resendRefusal({ ...failed, status: 'sent' }, { newerInThread: false, calendar: 'current' })).toMatch(/en échec/)
  })
})

describe('"Renvoyer" on a calendar message', () => {
  let t: TestApp
  let smtp: SmtpPeer
  let transport: MailTransport
  let platform: Platform
  let sessionId: number
  let admin: Client

  beforeEach(async () => {
    // Hélène's server refuses her mail for good (550) until it is fixed.
    smtp = await startSmtpPeer({ failWith: (rcpt) => rcpt.address === HELENE ? { code: 550, message: '5.2.1 Mailbox disabled' } : null })
    t = await buildTestApp({ config: { smtpUrl: smtp.url } })
    transport = createTransport(t.config, { connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 2000 })
    platform = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, platform, DATE)
    admin = await facilitatorClient(t.app, t.db, [platform.id])
  })
  afterEach(async () => {
    await transport.close()
    await t.close()
    await smtp.close()
  })

  /** Hélène invited (as partners/ does it): her invitation REQUEST is queued, then refused by her server. */
  async function failedInvitation() {
    const id = await queueInvitation(t, platform, sessionId, await invitedContact(t, platform, sessionId, { name: 'Hélène Dupré', email: HELENE }))
    expect(await deliverDue(t.app.ctx, transport)).toMatchObject({ failed: 1 })
    expect(await row(id)).toMatchObject({ status: 'failed', ical_method: 'REQUEST' })
    return id
  }

  const row = (id: number) => t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const resend = (id: number) => admin.submit(`/admin/p/test/courriers/${id}`, {}, `/admin/p/test/courriers/${id}/resend`)

  async function delivered() {
    smtp.setFailure(null)
    t.clock.advance(3600_000)
    await deliverDue(t.app.ctx, transport)
    return smtp.messages.map((m) => {
      const cal = m.parsed.attachments.find((a) => a.contentType === 'text/calendar')
      const ics = cal ? parseIcs(cal.content.toString('utf8')) : null
      return { to: m.envelope.rcptTo.map((r) => r.address).join(), method: ics?.method ?? null, sequence: ics?.events[0]?.sequence ?? null }
    })
  }

  it('after the session was cancelled: the CANCEL replaced the failed REQUEST, the resend is refused, only the CANCEL leaves', async () => {
    const request = await failedInvitation()
    const requestSequence = parseIcs((await row(request)).ical!).events[0]!.sequence!
    expect((await admin.submit(`/admin/p/test/sessions/${DATE}`, {}, `/admin/p/test/sessions/${DATE}/cancel`)).statusCode).toBe(303)
    // A newer calendar message for the same person and session supersedes failed rows too.
    expect((await row(request)).status).toBe('superseded')
    const list = await admin.get('/admin/p/test/courriers')
    expect(list.body).not.toContain(`/courriers/${request}/resend`)

    const res = await admin.post(`/admin/p/test/courriers/${request}/resend`, { _csrf: csrfOf(list.body) })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('role="alert"')
    expect(res.body).toContain('un courrier plus récent a été adressé à cette personne pour cette séance')
    expect((await row(request)).status).toBe('superseded')

    const sent = await delivered()
    expect(sent).toEqual([{ to: HELENE, method: 'CANCEL', sequence: requestSequence + 1 }])
    // The worker never sends the stale REQUEST later either.
    t.clock.advance(24 * 3600_000)
    await deliverDue(t.app.ctx, transport)
    expect(smtp.messages).toHaveLength(1)
  })

  it('when the CANCEL failed too, the CANCEL is the one that can be sent again', async () => {
    const request = await failedInvitation()
    await admin.submit(`/admin/p/test/sessions/${DATE}`, {}, `/admin/p/test/sessions/${DATE}/cancel`)
    expect(await deliverDue(t.app.ctx, transport)).toMatchObject({ failed: 1 })
    const cancel = await t.db.selectFrom('outbox').selectAll().where('ical_method', '=', 'CANCEL').executeTakeFirstOrThrow()
    expect(cancel.status).toBe('failed')
    expect((await resend(request)).statusCode).toBe(409)
    expect((await resend(cancel.id)).statusCode).toBe(303)
    expect(await delivered()).toEqual([{ to: HELENE, method: 'CANCEL', sequence: parseIcs(cancel.ical!).events[0]!.sequence }])
  })

  it('refuses a REQUEST whose session changed since, even with no newer message for that person', async () => {
    const request = await failedInvitation()
    // A change that reached no one (as for someone who no longer held the session when it moved).
    await t.db.updateTable('session').set({ start_time: '10:00', starts_at: '2026-12-18T09:00:00.000Z', sequence: (eb) => eb('sequence', '+', 1) }).where('id', '=', sessionId).execute()
    const res = await resend(request)
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('la séance a changé depuis')
    expect(res.body).toContain('« nouveau lien »')
    expect((await row(request)).status).toBe('failed')
    expect(await delivered()).toEqual([])
  })

  it('refuses a REQUEST for a session cancelled without a word to that person', async () => {
    const request = await failedInvitation()
    await t.db.updateTable('session').set({ status: 'cancelled', sequence: (eb) => eb('sequence', '+', 1) }).where('id', '=', sessionId).execute()
    const res = await resend(request)
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('la séance a été annulée depuis')
    expect(await delivered()).toEqual([])
  })

  it('sends again a REQUEST whose event is unchanged, even if the SEQUENCE rose for someone else’s withdrawal', async () => {
    const request = await failedInvitation()
    await bumpSequence(t.db, sessionId, t.clock.now().toISOString())
    const res = await resend(request)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/admin/p/test/courriers')
    const sent = await delivered()
    expect(sent.map((m) => `${m.to}:${m.method}`)).toEqual([`${HELENE}:REQUEST`])
    const text = smtp.messages[0]!.parsed.text!
    expect(text).toContain(`http://fabrik.test/rsvp/${personalToken(t.config.sessionSecret, 'rsvp', 1, 0)}`)
  })
})

function csrfOf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!
}
