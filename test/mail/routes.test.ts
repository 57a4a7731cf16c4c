import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { linkRef } from '../../src/mail/links.js'
import { claimDue, enqueueMail, markFailed, type NewMail } from '../../src/mail/outbox.js'
import { personalToken } from '../../src/web/tokens.js'
import { buildTestApp, Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'

const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n'

let t: TestApp
let lens: Platform
let other: Platform
let client: Client

const mail = (platformId: number, overrides: Partial<NewMail> = {}): NewMail => ({
  kind: 'session.invitation', platformId, sessionId: null, threadKey: null,
  to: { name: 'Élodie Martin', email: 'elodie.martin@caf.example.org' },
  subject: 'Invitation : séance du vendredi 27 mars 2026', text: 'Bonjour Élodie,\n', html: '<!doctype html><p>Bonjour Élodie</p>', ...overrides,
})
const enqueue = (m: NewMail) => enqueueMail(t.db, m, t.clock.now().toISOString(), 'fabrik.test').then((id) => id!)

beforeEach(async () => {
  t = await buildTestApp()
  lens = await createPlatform(t.db, { slug: 'lens', name: 'Fabrik Lens' })
  other = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
  client = await facilitatorClient(t.app, t.db, [lens.id], 'camille@fabrik.test')
})
afterEach(async () => t.close())

async function failedMail() {
  const id = await enqueue(mail(lens.id, { subject: 'Objet <script>alert(1)</script>' }))
  await claimDue(t.db, t.clock.now().toISOString(), 120, 10)
  await markFailed(t.db, id, '550 5.1.1 <elodie.martin@caf.example.org>: no such user')
  return id
}

describe('GET /admin/p/:slug/courriers', () => {
  it('lists the platform messages with their French status, counts and the folder mode', async () => {
    const failed = await failedMail()
    await enqueue(mail(lens.id, { ical: { method: 'REQUEST', content: ICS } }))
    await enqueue(mail(other.id, { subject: 'Message d’une autre plateforme' }))
    const res = await client.get('/admin/p/lens/courriers')
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const html = res.body
    expect(html).toContain('<caption>')
    expect(html).toContain('échec')
    expect(html).toContain('en attente')
    expect(html).toContain('Invitation à la séance')
    expect(html).toContain('550 5.1.1 &lt;elodie.martin@caf.example.org&gt;: no such user')
    expect(html).toContain('Objet &lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain(`action="/admin/p/lens/courriers/${failed}/resend"`)
    expect(html.match(/>Renvoyer</g)).toHaveLength(1)
    expect(html).toContain('SMTP_URL')
    expect(html).not.toContain('autre plateforme')
    expect(html).toMatch(/échec<\/a> : 1/)
  })

  it('filters by status and paginates by 50', async () => {
    for (let i = 0; i < 55; i++) await enqueue(mail(lens.id, { subject: `Message ${i}` }))
    const first = await client.get('/admin/p/lens/courriers')
    expect(first.body.match(/<tr data-status=/g)).toHaveLength(50)
    expect(first.body).toContain('Message 54')
    expect(first.body).toContain('href="/admin/p/lens/courriers?page=2"')
    const second = await client.get('/admin/p/lens/courriers?page=2')
    expect(second.body.match(/<tr data-status=/g)).toHaveLength(5)
    expect(second.body).toContain('Message 0<')
    const failed = await client.get('/admin/p/lens/courriers?statut=failed')
    expect(failed.body).toContain('Aucun message')
  })

  it('sends anonymous visitors to the login and hides other platforms', async () => {
    const anonymous = await new Client(t.app).get('/admin/p/lens/courriers')
    expect(anonymous.statusCode).toBe(303)
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/)
    expect((await client.get('/admin/p/autre/courriers')).statusCode).toBe(404)
    expect((await client.get('/admin/p/nowhere/courriers')).statusCode).toBe(404)
  })
})

describe('one message', () => {
  it('shows headers, text, the sandboxed html and the calendar part', async () => {
    const id = await enqueue(mail(lens.id, { ical: { method: 'REQUEST', content: ICS } }))
    const row = await t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    const res = await client.get(`/admin/p/lens/courriers/${id}`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain(row.message_id.replace('<', '&lt;').replace('>', '&gt;'))
    expect(res.body).toContain('<pre>Bonjour Élodie,\n</pre>')
    expect(res.body).toContain(`<iframe sandbox src="/admin/p/lens/courriers/${id}/html"`)
    expect(res.body).toContain('METHOD:REQUEST')
    expect(res.body).toContain(`href="/admin/p/lens/courriers/${id}/invitation.ics"`)
  })

  it('shows the message as it was sent: personal links written in, for its recipient only', async () => {
    const target = { purpose: 'rsvp', id: 5, version: 1 } as const
    const ref = linkRef(t.config.sessionSecret, target, 'elodie.martin@caf.example.org')
    const url = `http://fabrik.test/rsvp/${personalToken(t.config.sessionSecret, 'rsvp', 5, 1)}`
    const id = await enqueue(mail(lens.id, { text: `Votre lien personnel : ${ref}\n`, html: `<p><a href="${ref}">${ref}</a></p>` }))
    const page = await client.get(`/admin/p/lens/courriers/${id}`)
    expect(page.body).toContain(`<pre>Votre lien personnel : ${url}\n</pre>`)
    expect((await client.get(`/admin/p/lens/courriers/${id}/html`)).body).toBe(`<p><a href="${url}">${url}</a></p>`)
    // The same reference in a message to someone else opens nothing: it is bound to its recipient.
    const other = await enqueue(mail(lens.id, { to: { name: 'Eve', email: 'eve@example.org' }, text: `Bonjour ${ref}\n` }))
    expect((await client.get(`/admin/p/lens/courriers/${other}`)).body).not.toContain('/rsvp/')
    expect((await t.db.selectFrom('outbox').select('text_body').where('id', '=', id).executeTakeFirstOrThrow()).text_body).not.toContain('/rsvp/')
  })

  it('serves the stored html under a strict CSP that allows framing by the app only', async () => {
    const id = await enqueue(mail(lens.id))
    const res = await client.get(`/admin/p/lens/courriers/${id}/html`)
    expect(res.statusCode).toBe(200)
    expect(res.body).toBe('<!doctype html><p>Bonjour Élodie</p>')
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox")
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN')
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8')
  })

  it('serves the calendar part with its method', async () => {
    const id = await enqueue(mail(lens.id, { ical: { method: 'REQUEST', content: ICS } }))
    const res = await client.get(`/admin/p/lens/courriers/${id}/invitation.ics`)
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8; method=REQUEST')
    expect(res.body).toBe(ICS)
    const plain = await enqueue(mail(lens.id))
    expect((await client.get(`/admin/p/lens/courriers/${plain}/invitation.ics`)).statusCode).toBe(404)
  })

  it('answers 404 for a message of another platform or an invalid id', async () => {
    const foreign = await enqueue(mail(other.id))
    for (const path of [`${foreign}`, `${foreign}/html`, `${foreign}/invitation.ics`, 'abc', '0', '99999999999999999999']) {
      expect((await client.get(`/admin/p/lens/courriers/${path}`)).statusCode).toBe(404)
    }
  })
})

describe('POST …/resend', () => {
  it('puts a failed message back in the queue and returns to the list', async () => {
    const id = await failedMail()
    const res = await client.submit('/admin/p/lens/courriers', {}, `/admin/p/lens/courriers/${id}/resend`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/admin/p/lens/courriers')
    const row = await t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'queued', attempts: 0 })
  })

  it('needs the CSRF token and the platform', async () => {
    const id = await failedMail()
    expect((await client.post(`/admin/p/lens/courriers/${id}/resend`, {})).statusCode).toBe(403)
    const page = await client.get(`/admin/p/lens/courriers/${id}`)
    const foreign = await enqueue(mail(other.id))
    expect((await client.post(`/admin/p/lens/courriers/${foreign}/resend`, { _csrf: csrfToken(page.body) })).statusCode).toBe(404)
    expect((await t.db.selectFrom('outbox').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('failed')
  })
})
