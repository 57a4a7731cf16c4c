import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { applySessionChange } from '../../src/sessions/changes.js'
import { Client, csrfToken } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { startSmtpPeer } from '../helpers/smtp.js'
import { bookingFields } from '../pitches/helpers.js'
import { buildWorld, routeTable, type World } from './world.js'

// Hostile text in every field a person can fill, then every page, email part and feed where it appears:
// escaped or refused, never a new header, property, line or tag, and never a 500.

const TAG = '<script>alert(1)</script>"><svg onload=alert(2)>'
const PRINTABLE = `${TAG} ; , \\ 'x' « é »`
const WITH_CONTROLS = `${TAG}\r\nBcc: evil@example.org\u202E\u0000\u001b[31m`
// What could be stored by a path that skipped validation: PostgreSQL text cannot hold NUL at all.
const STORED = WITH_CONTROLS.replace('\u0000', '')
const LONG = 'ééé'.repeat(3500) // 10 KB

/** No tag of the hostile text, and no invisible character that could disguise the text around it. */
function assertSafeHtml(body: string, where: string) {
  expect(body, where).not.toContain('<script>alert')
  expect(body, where).not.toContain('<svg onload')
  expect(body, where).not.toMatch(/[\u202E\u0000\u001b]/)
}

describe('hostile text', () => {
  let w: World
  beforeAll(async () => {
    w = await buildWorld()
  }, 120_000)
  afterAll(() => w.t.close())

  it('is refused with a French 400 in forms when it carries control characters, never a 500, nothing saved', async () => {
    const before = await w.t.db.selectFrom('pitch').select('id').execute()
    const holder = new Client(w.t.app, {}, '10.8.0.1')
    const form = `/lens-lievin/sessions/${w.ids.pitchDate}/pitch`
    for (const field of ['holder_name', 'initiative_title', 'initiative_summary', 'holder_email', 'holder_phone', 'commune']) {
      const res = await holder.submit(form, bookingFields('h', { [field]: WITH_CONTROLS }))
      expect(res.statusCode, field).toBe(400)
      expect(res.body).toMatch(/caractères non autorisés|invalide|Choisissez/)
      assertSafeHtml(res.body, field)
      const long = await holder.submit(form, bookingFields('h', { [field]: LONG }))
      expect(long.statusCode, `${field} long`).toBe(400)
    }
    // Arrays where a string is expected (parameter pollution) and unknown fields.
    const token = csrfToken((await holder.get(form)).body)
    const polluted = await holder.post(form, { ...bookingFields('p'), holder_name: ['a', 'b'], __proto__x: 'y', _csrf: token })
    expect(polluted.statusCode).toBe(400)
    expect(await w.t.db.selectFrom('pitch').select('id').execute()).toEqual(before)
    // Facilitator forms.
    for (const [url, field] of [['/admin/p/lens-lievin/communes', 'name'], ['/admin/p/lens-lievin/venues', 'name'], ['/admin/p/lens-lievin/partners', 'name'], ['/admin/p/lens-lievin/settings', 'name']] as const) {
      const res = await w.own.submit(url, { [field]: WITH_CONTROLS })
      expect(res.statusCode, url).toBe(400)
      assertSafeHtml(res.body, url)
    }
  })

  it('comes out as text on every page, feed and JSON when it is stored (printable, and with controls from imports)', async () => {
    const db = w.t.db
    await db.updateTable('holder').set({ name: STORED }).execute()
    await db.updateTable('initiative').set({ title: PRINTABLE, summary: STORED }).execute()
    await db.updateTable('pitch').set({ public_title: 1, facilitator_message: PRINTABLE }).execute()
    await db.updateTable('commune').set({ name: PRINTABLE }).where('slug', '=', 'lens').execute()
    await db.updateTable('venue').set({ name: STORED, address: PRINTABLE, accessibility: STORED }).execute()
    await db.updateTable('partner').set({ name: PRINTABLE, notes: STORED }).execute()
    await db.updateTable('contact').set({ name: STORED, role: PRINTABLE }).execute()
    await db.updateTable('invitation').set({ comment: STORED, delegate_name: PRINTABLE }).execute()
    await db.updateTable('session').set({ notes: STORED }).execute()
    await db.updateTable('platform').set({ name: `Fabrik ${PRINTABLE}` }).where('slug', '=', 'lens-lievin').execute()

    const failures: string[] = []
    for (const role of ['anon', 'own'] as const) {
      for (const r of routeTable(w.t.app).filter((x) => x.method === 'GET')) {
        const url = r.url === '/*' ? '/assets/fabrik.css' : r.url
          .replace(':slug', 'lens-lievin').replace(':platform', 'lens-lievin').replace(':commune', 'lens')
          .replace(':date', String(r.url.endsWith('/pitch') ? w.ids.pitchDate : w.ids.date))
          .replace(':token', String(r.url.startsWith('/pitch') ? w.ids.pitchToken : w.ids.rsvpToken)).replace(':file', String(w.ids.feedFile))
          .replace(/\/(venues|partners|courriers|initiatives|pitches)\/:id/, (_, k: string) => `/${k}/${w.ids[{ venues: 'venue', partners: 'partner', courriers: 'outbox', initiatives: 'initiative', pitches: 'pitch' }[k]!]}`)
        const res = await w[role].get(url)
        if (res.statusCode >= 500) failures.push(`${role} ${url} → ${res.statusCode}`)
        const type = String(res.headers['content-type'] ?? '')
        if (type.startsWith('text/html')) {
          if (/<script>alert|<svg onload|\u202E/.test(res.body) && !url.endsWith('/html')) failures.push(`${role} ${url}: unescaped tag or bidi override`)
        } else if (type.startsWith('text/calendar')) {
          const problems = lintIcs(res.body)
          if (problems.length) failures.push(`${role} ${url}: ${problems.join('; ')}`)
          if (/^(BCC|X-INJ|ATTENDEE)/m.test(res.body.replace(/\r\n /g, '')) && !url.includes('invitation.ics')) failures.push(`${role} ${url}: injected line`)
        } else if (type.startsWith('application/json')) {
          expect(() => JSON.parse(res.body)).not.toThrow()
        }
      }
    }
    expect(failures).toEqual([])
  })

  it('stays text in emails: one recipient, no injected header, escaped HTML, linted calendar part', async () => {
    const db = w.t.db
    await db.updateTable('contact').set({ name: STORED }).execute()
    await db.updateTable('venue').set({ name: STORED }).execute()
    await db.updateTable('platform').set({ name: `Fabrik ${STORED}`, contact_name: STORED }).where('slug', '=', 'lens-lievin').execute()
    const platform = await db.selectFrom('platform').selectAll().where('slug', '=', 'lens-lievin').executeTakeFirstOrThrow()
    const session = await db.selectFrom('session').selectAll().where('platform_id', '=', platform.id).where('date', '=', String(w.ids.date)).executeTakeFirstOrThrow()
    await db.updateTable('outbox').set({ status: 'sent' }).execute()
    await applySessionChange(w.t.app.ctx, platform, session.id, { start_time: '09:30' })
    const queued = await db.selectFrom('outbox').selectAll().where('status', '=', 'queued').execute()
    expect(queued.length).toBeGreaterThan(3)
    for (const m of queued) {
      assertSafeHtml(m.html_body, `html ${m.id}`)
      expect(m.subject).not.toMatch(/[\r\n\u0000]/)
      expect(lintIcs(m.ical!)).toEqual([])
      const ics = parseIcs(m.ical!)
      expect(ics.events[0]!.attendees).toHaveLength(1)
    }
    const peer = await startSmtpPeer()
    w.t.app.ctx.config.smtpUrl = peer.url
    const transport = createTransport(w.t.app.ctx.config)
    await deliverDue(w.t.app.ctx, transport)
    await transport.close()
    w.t.app.ctx.config.smtpUrl = null
    const got = await peer.waitFor(queued.length)
    await peer.close()
    for (const m of got) {
      expect(m.envelope.rcptTo).toHaveLength(1)
      expect(m.parsed.headers.has('bcc')).toBe(false)
      expect(m.raw.toString('latin1')).not.toMatch(/^Bcc:/im)
    }
  })
})
