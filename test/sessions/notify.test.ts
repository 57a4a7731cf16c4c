import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { withLinks } from '../../src/mail/links.js'
import { createTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { dueReminder, queueDueReminders } from '../../src/sessions/reminders.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { anInvitedContact, outboxRows } from '../helpers/factories.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { startSmtpPeer } from '../helpers/smtp.js'
import { bookConfirmed, bookingFields, publishedSession } from '../pitches/helpers.js'

/** Two partner contacts invited to the session, as the partners feature does it, both coming on site. */
async function invite(t: TestApp, platform: Platform, sessionId: number) {
  for (const person of [
    { name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org' },
    { name: 'Marc "Le Boss" Petit\r\nBcc: x@evil.example', email: 'marc.petit@caf.example.org' },
  ]) {
    const { invitation } = await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId, person)
    await t.db.updateTable('invitation').set({ answer: 'on_site', answered_at: '2026-11-01T00:00:00.000Z' }).where('id', '=', invitation.id).execute()
  }
}

const edit = (date: string, extra: Record<string, string> = {}) => ({ date, start_time: '09:00', end_time: '12:00', mode: 'in_person', commune_id: '', venue_id: '', video_url: '', notes: '', ...extra })

describe('a session change reaches everyone who holds it in their calendar', () => {
  let t: TestApp
  let p: Platform
  let sessionId: number
  let admin: Client
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, p)
    await invite(t, p, sessionId)
    // Booked and confirmed from the email (an unconfirmed booking holds its slot but no one's calendar yet).
    await bookConfirmed(t.app, t.db, '/test/sessions/2026-12-18/pitch', bookingFields(1))
    await t.db.deleteFrom('outbox').execute()
    admin = await facilitatorClient(t.app, t.db, [p.id])
  })
  afterEach(() => t.close())

  async function moveThenVisioThenCancel() {
    expect((await admin.submit('/admin/p/test/sessions/2026-12-18', edit('2026-12-11'))).statusCode).toBe(303)
    expect((await admin.submit('/admin/p/test/sessions/2026-12-11', { video_url: 'https://visio.example.org/salle-42' }, '/admin/p/test/sessions/2026-12-11/visio')).statusCode).toBe(303)
    expect((await admin.submit('/admin/p/test/sessions/2026-12-11', {}, '/admin/p/test/sessions/2026-12-11/cancel')).statusCode).toBe(303)
  }

  it('queues update, visio update and cancellation for each invitee, with SEQUENCE rising', async () => {
    await moveThenVisioThenCancel()
    const rows = await outboxRows(t.db)
    // Not yet sent when the next change came: only the newest message per person is still to go.
    expect(rows.filter((r) => r.status === 'queued').map((r) => r.kind)).toEqual(['session.cancelled', 'session.cancelled', 'session.cancelled'])
    const people = ['helene.dupre@caf.example.org', 'marc.petit@caf.example.org', 'porteur1@example.org']
    for (const email of people) {
      const mine = rows.filter((r) => r.to_email === email)
      expect(mine.map((r) => `${r.kind}:${r.ical_method}`)).toEqual(['session.updated:REQUEST', 'session.updated:REQUEST', 'session.cancelled:CANCEL'])
      const events = mine.map((r) => { expect(lintIcs(r.ical!)).toEqual([]); return parseIcs(r.ical!) })
      expect(events.map((e) => e.method)).toEqual(['REQUEST', 'REQUEST', 'CANCEL'])
      expect(events.map((e) => e.events[0]!.sequence)).toEqual([1, 2, 3])
      expect(new Set(events.map((e) => e.events[0]!.uid)).size).toBe(1)
      expect(events[0]!.events[0]!.start).toBe('2026-12-11T08:00:00.000Z')
      expect(events[1]!.events[0]!.conference).toBe('https://visio.example.org/salle-42')
      expect(events[1]!.events[0]!.location).toBe('https://visio.example.org/salle-42')
      expect(events[2]!.events[0]!.status).toBe('CANCELLED')
      for (const e of events) expect(e.events[0]!.attendees).toEqual([`mailto:${email}`])
      expect(mine[0]!.text_body).toContain('Nouvelle date')
      expect(mine[1]!.text_body).toContain('https://visio.example.org/salle-42')
    }
  })

  it('writes the three messages as .eml files with no SMTP configured, in order, METHOD agreeing', async () => {
    // The worker runs every few seconds, so each action's messages leave before the next action.
    const transport = createTransport(t.config)
    expect((await admin.submit('/admin/p/test/sessions/2026-12-18', edit('2026-12-11'))).statusCode).toBe(303)
    await deliverDue(t.app.ctx, transport)
    expect((await admin.submit('/admin/p/test/sessions/2026-12-11', { video_url: 'https://visio.example.org/salle-42' }, '/admin/p/test/sessions/2026-12-11/visio')).statusCode).toBe(303)
    await deliverDue(t.app.ctx, transport)
    expect((await admin.submit('/admin/p/test/sessions/2026-12-11', {}, '/admin/p/test/sessions/2026-12-11/cancel')).statusCode).toBe(303)
    await deliverDue(t.app.ctx, transport)
    await transport.close()
    const folder = join(t.dataDir, 'outbox')
    const files = readdirSync(folder).sort()
    expect(files).toHaveLength(9)
    const helene = []
    for (const f of files) {
      const raw = readFileSync(join(folder, f))
      expect(raw.toString('latin1')).not.toMatch(/[^\r]\n/)
      const mail = await simpleParser(raw)
      if ((mail.to as { text: string }).text.includes('helene')) helene.push(mail)
    }
    const methods = helene.map((m) => {
      const cal = m.attachments.find((a) => a.contentType === 'text/calendar')!
      const header = (cal.headers.get('content-type') as { params: Record<string, string> }).params.method
      const body = parseIcs(cal.content.toString('utf8'))
      expect(body.method).toBe(header!.toUpperCase())
      return `${header}:${body.events[0]!.sequence}`
    })
    expect(methods).toEqual(['REQUEST:1', 'REQUEST:2', 'CANCEL:3'])
  })

  it('cancels while SMTP is down: the request succeeds and mail arrives once the server is back', async () => {
    const peer = await startSmtpPeer()
    const port = peer.port
    await peer.close()
    t.app.ctx.config.smtpUrl = `smtp://127.0.0.1:${port}`
    const res = await admin.submit('/admin/p/test/sessions/2026-12-18', {}, '/admin/p/test/sessions/2026-12-18/cancel')
    expect(res.statusCode).toBe(303)
    const down = createTransport(t.app.ctx.config, { connectionTimeout: 1000, greetingTimeout: 1000, socketTimeout: 1000 })
    const first = await deliverDue(t.app.ctx, down)
    await down.close()
    expect(first.sent).toBe(0)
    expect(await t.db.selectFrom('outbox').select('status').where('status', '=', 'queued').execute()).toHaveLength(3)

    const back = await startSmtpPeer({ port })
    t.clock.advance(24 * 3600 * 1000)
    const up = createTransport(t.app.ctx.config)
    await deliverDue(t.app.ctx, up)
    await up.close()
    const got = await back.waitFor(3)
    await back.close()
    expect(got.map((m) => m.envelope.rcptTo.map((r) => r.address)).flat().sort()).toEqual(['helene.dupre@caf.example.org', 'marc.petit@caf.example.org', 'porteur1@example.org'])
    for (const m of got) {
      expect(m.envelope.rcptTo).toHaveLength(1)
      const cal = m.parsed.attachments.find((a) => a.contentType === 'text/calendar')!
      expect((cal.headers.get('content-type') as { params: Record<string, string> }).params.method).toBe('CANCEL')
    }
    expect(await t.db.selectFrom('outbox').select('status').where('status', '!=', 'sent').execute()).toHaveLength(0)
  })

  it('sends reminders to those who come, computed from the current date of the session', async () => {
    await t.db.updateTable('invitation').set({ answer: 'declined' }).where('contact_id', '=', 2).execute()
    t.clock.set('2026-12-11T10:00:00.000Z') // J-7 at 11:00 Paris
    expect(await queueDueReminders(t.app.ctx)).toBe(2)
    expect(await queueDueReminders(t.app.ctx)).toBe(0) // once
    await admin.login('camille@test.example.org')
    // The session moves a week later: the J-7 reminder is due again for the new date, not sent for the old one.
    await admin.submit('/admin/p/test/sessions/2026-12-18', edit('2026-12-23'))
    expect(await queueDueReminders(t.app.ctx)).toBe(0)
    t.clock.set('2026-12-16T09:00:00.000Z')
    expect(await queueDueReminders(t.app.ctx)).toBe(2)
    const reminders = await t.db.selectFrom('outbox').selectAll().where('kind', '=', 'session.reminder').execute()
    expect(reminders).toHaveLength(4)
    // Someone who answers inside the window was just told by their confirmation: no reminder seconds later.
    await t.db.updateTable('invitation').set({ answer: 'remote', answered_at: t.clock.now().toISOString() }).where('contact_id', '=', 2).execute()
    t.clock.advance(60_000)
    expect(await queueDueReminders(t.app.ctx)).toBe(0)
    expect(reminders[3]!.text_body).toContain('23 décembre 2026')
  })

  it('serves personal feeds behind the link in the emails, with only that person’s sessions', async () => {
    await admin.submit('/admin/p/test/sessions/2026-12-18', edit('2026-12-11'))
    const row = await t.db.selectFrom('outbox').selectAll().where('to_email', '=', 'helene.dupre@caf.example.org').executeTakeFirstOrThrow()
    expect(row.text_body).not.toContain('/feeds/') // written in as the message leaves
    const feedUrl = /http:\/\/fabrik\.test(\/feeds\/[A-Za-z0-9_-]{43}\.ics)/.exec(withLinks(row, t.config).text_body)![1]!
    const feed = await t.app.inject(feedUrl)
    expect(feed.statusCode).toBe(200)
    expect(feed.headers['cache-control']).toContain('private')
    expect(lintIcs(feed.body)).toEqual([])
    expect(parseIcs(feed.body).events.map((e) => e.start)).toEqual(['2026-12-11T08:00:00.000Z'])
    expect(feed.body).not.toContain('ATTENDEE')
    expect((await t.app.inject(feedUrl.replace(/.\.ics$/, 'x.ics'))).statusCode).toBe(404)
  })
})

describe('dueReminder', () => {
  const start = '2026-12-18T08:00:00.000Z'
  it('finds the window now falls in, and nothing late', () => {
    expect(dueReminder(start, 'Europe/Paris', [7, 1], new Date('2026-12-10T12:00:00Z'))).toBeNull()
    expect(dueReminder(start, 'Europe/Paris', [7, 1], new Date('2026-12-11T08:00:00Z'))).toBe(7)
    expect(dueReminder(start, 'Europe/Paris', [7, 1], new Date('2026-12-17T07:59:00Z'))).toBe(7)
    expect(dueReminder(start, 'Europe/Paris', [7, 1], new Date('2026-12-17T08:00:00Z'))).toBe(1)
    expect(dueReminder(start, 'Europe/Paris', [7, 1], new Date('2026-12-18T08:00:00Z'))).toBeNull()
  })
  it('keeps local time across a DST change (J-7 of 3 April 2026 is 27 March, 09:00 Paris both)', () => {
    const s = '2026-04-03T07:00:00.000Z' // 09:00 CEST
    expect(dueReminder(s, 'Europe/Paris', [7], new Date('2026-03-27T07:59:00Z'))).toBeNull()
    expect(dueReminder(s, 'Europe/Paris', [7], new Date('2026-03-27T08:00:00Z'))).toBe(7) // 09:00 CET
  })
})
