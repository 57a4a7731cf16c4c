import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { buildTestApp, Client, createPlatform, csrfToken, type TestApp } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { bookConfirmed, bookingFields, confirmationLink, outbox, pitches, publishedSession, sentText } from './helpers.js'

const FORM = '/test/sessions/2026-12-18/pitch'

describe('booking a pitch slot', () => {
  let t: TestApp
  let p: Platform
  let sessionId: number
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, p)
  })
  afterEach(() => t.close())

  const book = (n: number | string, extra: Record<string, string | string[]> = {}) => new Client(t.app).submit(FORM, bookingFields(n, extra))
  /** Booked, then confirmed from the emailed link: the holder's page. */
  const booked = (n: number | string, extra: Record<string, string | string[]> = {}) => bookConfirmed(t.app, t.db, FORM, bookingFields(n, extra))

  it('a new address gets its own link at once; the slot is held until the emailed link confirms it, then confirmed with the calendar invitation', async () => {
    const res = await book(1)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toMatch(/^\/pitch\/[A-Za-z0-9_-]{43}$/)
    const url = String(res.headers.location)
    const page = await t.app.inject(url)
    expect(page.body).toContain('data-status="pending"')
    expect(page.body).toContain('En attente de votre confirmation')
    expect(page.body).toContain('Un e-mail de confirmation vient de vous être envoyé')
    expect(page.body).toContain("jusqu'au <strong>mercredi 25 novembre 2026 à 10h00</strong>") // 48 h, in Paris time
    expect(page.body).not.toContain('name="action" value="confirm"') // the form's answer cannot confirm
    expect(page.body).toContain('9 h 20 – 10 h')
    // The slot is held meanwhile; the address gets one email, with a link the form's answer never gave.
    expect(((await t.app.inject('/test/sessions.json')).json() as Array<{ freePitchSlots: number }>)[0]!.freePitchSlots).toBe(2)
    const [verify, ...none] = await outbox(t.db)
    expect(none).toEqual([])
    expect(verify!.kind).toBe('pitch.verify')
    expect(verify!.to_email).toBe('porteur1@example.org')
    expect(verify!.ical).toBeNull()
    expect(sentText(t.app, verify!)).toContain('avant le mercredi 25 novembre 2026 à 10h00')
    const confirm = await confirmationLink(t.app, t.db, 'porteur1@example.org')
    expect(confirm).not.toBe(url)
    expect(sentText(t.app, verify!)).not.toContain(url)
    // Opening it (a scanner does) changes nothing; the button does.
    const before = JSON.stringify(await pitches(t.db))
    const opened = await t.app.inject(confirm)
    expect(opened.body).toContain('name="action" value="confirm"')
    expect(opened.body).toContain('Confirmer ma réservation</button>')
    expect(JSON.stringify(await pitches(t.db))).toBe(before)
    expect((await new Client(t.app).submit(confirm, { action: 'confirm' })).statusCode).toBe(303)
    expect((await t.app.inject(url)).body).toContain('data-status="confirmed"')
    const row = (await pitches(t.db))[0]!
    expect(row.address_confirmed_at).toBe('2026-11-23T09:00:00.000Z')
    expect(row.hold_until).toBeNull()
    const [, mail] = await outbox(t.db)
    expect(mail!.kind).toBe('pitch.confirmed')
    expect(mail!.to_email).toBe('porteur1@example.org')
    expect(sentText(t.app, mail!)).toContain(`http://fabrik.test${url}`)
    expect(mail!.ical_method).toBe('REQUEST')
    expect(lintIcs(mail!.ical!)).toEqual([])
    const ics = parseIcs(mail!.ical!)
    expect(ics.method).toBe('REQUEST')
    expect(ics.events[0]!.attendees).toEqual(['mailto:porteur1@example.org'])
    expect(ics.events[0]!.start).toBe('2026-12-18T08:00:00.000Z')
    const json = (await t.app.inject('/test/sessions.json')).json() as Array<{ freePitchSlots: number }>
    expect(json[0]!.freePitchSlots).toBe(2)
  })

  it('holds the slot as pending when the facilitator validates, without a calendar invitation yet', async () => {
    await t.db.updateTable('platform').set({ booking_mode: 'review' }).execute()
    const url = await booked(1)
    expect((await t.app.inject(url)).body).toContain('data-status="pending"')
    expect((await t.app.inject(url)).body).toContain("L'animatrice va valider votre inscription")
    const [, mail] = await outbox(t.db)
    expect(mail!.kind).toBe('pitch.received')
    expect(mail!.ical).toBeNull()
    const json = (await t.app.inject('/test/sessions.json')).json() as Array<{ freePitchSlots: number }>
    expect(json[0]!.freePitchSlots).toBe(2)
  })

  it('puts the fourth holder on the waiting list, never shown in public, and promotes them when a slot frees', async () => {
    const tokens = []
    for (const n of [1, 2, 3, 4]) tokens.push(await booked(n))
    const waiting = await t.app.inject(tokens[3]!)
    expect(waiting.body).toContain('data-status="waiting"')
    expect(waiting.body).toContain("liste d'attente")
    const pub = await t.app.inject('/test/sessions/2026-12-18')
    expect(pub.body).not.toContain('Jardin partagé 4')
    expect(pub.body).toContain('Tous les créneaux sont pris')

    // Holder 2 withdraws from their own page: holder 4 moves up and is told.
    const holder2 = new Client(t.app)
    const withdraw = await holder2.submit(tokens[1]!, { action: 'withdraw' })
    expect(withdraw.statusCode).toBe(303)
    expect((await t.app.inject(tokens[1]!)).body).toContain('data-status="withdrawn"')
    expect((await t.app.inject(tokens[3]!)).body).toContain('data-status="confirmed"')
    const mails = await outbox(t.db)
    const withdrawn = mails.find((m) => m.kind === 'pitch.withdrawn')!
    expect(withdrawn.to_email).toBe('porteur2@example.org')
    expect(withdrawn.ical_method).toBe('CANCEL')
    // The session still takes place: the CANCEL uninvites this holder and carries no STATUS (RFC 5546 §3.2.5).
    expect(parseIcs(withdrawn.ical!).events[0]!.status).toBeNull()
    const promoted = mails.find((m) => m.kind === 'pitch.promoted')!
    expect(promoted.to_email).toBe('porteur4@example.org')
    expect(promoted.ical_method).toBe('REQUEST')
    // SEQUENCE of the invitation sent after the CANCEL is higher, so calendars apply it.
    const seqCancel = parseIcs(withdrawn.ical!).events[0]!.sequence
    expect(parseIcs(promoted.ical!).events[0]!.sequence).toBeGreaterThanOrEqual(seqCancel!)
  })

  it('gives the last free slot to exactly one of 20 simultaneous holders; the others wait; no error', async () => {
    await book('a')
    await book('b')
    const clients = Array.from({ length: 20 }, (_, i) => new Client(t.app, {}, `10.1.0.${i}`))
    const tokens = await Promise.all(clients.map(async (c) => csrfToken((await c.get(FORM)).body)))
    const results = await Promise.all(clients.map((c, i) => c.post(FORM, { ...bookingFields(`x${i}`), _csrf: tokens[i]! })))
    expect(results.map((r) => r.statusCode).every((s) => s === 303)).toBe(true)
    const rows = (await pitches(t.db)).filter((r) => r.holder_id > 2)
    // Held (as pending) until confirmed from the email.
    expect(rows.filter((r) => r.status === 'pending')).toHaveLength(1)
    expect(rows.filter((r) => r.status === 'waiting')).toHaveLength(19)
  })

  it('keeps one booking when the same form is sent twice (double click, resubmission): the same answer, nothing written or mailed again', async () => {
    const c = new Client(t.app)
    const token = csrfToken((await c.get(FORM)).body)
    const [a, b] = await Promise.all([c.post(FORM, { ...bookingFields(1), _csrf: token }), c.post(FORM, { ...bookingFields(1), _csrf: token })])
    expect(a.headers.location).toMatch(/^\/pitch\//)
    expect(a.headers.location).toBe(b.headers.location)
    expect(await pitches(t.db)).toHaveLength(1)
    expect(await outbox(t.db)).toHaveLength(1)

    // The same form again writes nothing (answered before the write lock): the public pages stay cached. The
    // nonce decides, not what was typed: another address or phone with the same form gets the same answer.
    const stamp = () => t.db.selectFrom('content_version').select('version').executeTakeFirstOrThrow()
    const holder = () => t.db.selectFrom('holder').selectAll().execute()
    const [v, h] = [await stamp(), await holder()]
    t.clock.advance(60_000)
    expect((await c.post(FORM, { ...bookingFields(1), _csrf: token })).headers.location).toBe(a.headers.location)
    expect((await c.post(FORM, { ...bookingFields(1, { holder_phone: '06 12 34 56 78' }), _csrf: token })).headers.location).toBe(a.headers.location)
    expect((await c.post(FORM, { ...bookingFields(2), _csrf: token })).headers.location).toBe(a.headers.location)
    expect([await stamp(), await holder()]).toEqual([v, h])
    expect(await outbox(t.db)).toHaveLength(1)

    // A new display of the form is a new booking attempt: the address is known now, so the answer is "check
    // your email" and the booking's link goes to that address again (once per form, however often it is sent).
    const again = csrfToken((await c.get(FORM)).body)
    for (let i = 0; i < 2; i++) {
      const res = await c.post(FORM, { ...bookingFields(1, { holder_phone: '06 12 34 56 78' }), _csrf: again })
      expect(res.headers.location).toBe('/test/sessions/2026-12-18/pitch/envoye')
    }
    expect(await pitches(t.db)).toHaveLength(1)
    expect(await holder()).toEqual(h)
    expect((await outbox(t.db)).map((m) => `${m.kind}:${m.to_email}`)).toEqual(['pitch.verify:porteur1@example.org', 'pitch.verify:porteur1@example.org'])
  })

  it('closes booking 7 days before the session, and on cancelled or past sessions', async () => {
    t.clock.set('2026-12-11T23:30:00.000Z') // already 12 December in Paris
    const c = new Client(t.app)
    const form = await c.get(FORM)
    expect(form.body).toContain('Les inscriptions à cette réunion sont closes')
    expect(form.body).not.toContain('Réserver mon créneau')
    const res = await c.post(FORM, { ...bookingFields(1), _csrf: csrfToken((await c.get('/login')).body) })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('Les inscriptions à cette réunion sont closes')
    expect(await pitches(t.db)).toHaveLength(0)
    t.clock.set('2026-12-10T12:00:00.000Z')
    expect((await book(1)).statusCode).toBe(303)
    t.clock.set('2026-11-23T09:00:00.000Z')
    await t.db.updateTable('session').set({ status: 'cancelled' }).execute()
    const closed = await c.post(FORM, { ...bookingFields(2), _csrf: csrfToken((await c.get('/login')).body) })
    expect(closed.statusCode).toBe(409)
    expect(await pitches(t.db)).toHaveLength(1)
  })

  it('re-renders bad input in French with every field kept, nothing saved', async () => {
    const res = await book(1, {
      holder_email: 'a@example.org\r\nBcc: victim@example.org', initiative_title: 'x'.repeat(151), holder_name: 'Eve\u0007',
      initiative_summary: '', consent: '', commune: 'Atlantis',
    })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Adresse e-mail invalide.')
    expect(res.body).toContain('150 caractères au plus.')
    expect(res.body).toContain('Ce texte contient des caractères non autorisés.')
    expect(res.body).toContain('Votre accord est nécessaire pour réserver un créneau.')
    expect(res.body).toContain('value="Eve')
    expect(res.body).toContain('x'.repeat(151))
    expect(await pitches(t.db)).toHaveLength(0)
    expect(await t.db.selectFrom('holder').selectAll().execute()).toHaveLength(0)
    const unknownCommune = await book(2, { commune: 'Atlantis' })
    expect(unknownCommune.statusCode).toBe(400)
    expect(unknownCommune.body).toContain('Choisissez votre commune dans la liste')
  })

  it('shows <script> in a title as text on every page and email where it appears', async () => {
    const evil = '<script>alert(1)</script>"><svg onload=x>'
    const url = await booked(1, { initiative_title: evil, public_title: 'yes', holder_name: 'Eve "<b>"' })
    const page = await t.app.inject(url)
    const pub = await t.app.inject('/test/sessions/2026-12-18')
    const [verify, mail] = await outbox(t.db)
    for (const html of [page.body, pub.body, verify!.html_body, mail!.html_body]) {
      expect(html).not.toContain('<script>alert(1)')
      expect(html).not.toContain('<svg onload')
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    }
    expect(mail!.subject).not.toMatch(/[\r\n]/)
  })

  it('shows a title in public only when the holder agreed', async () => {
    await booked(1, { public_title: 'yes' })
    await booked(2)
    await book(3, { public_title: 'yes' }) // not confirmed yet: holds its slot, title not shown
    const pub = await t.app.inject('/test/sessions/2026-12-18')
    expect(pub.body).not.toContain('Jardin partagé 3')
    expect(pub.body).toContain('Jardin partagé 1')
    expect(pub.body).not.toContain('Jardin partagé 2')
    expect(pub.body).toContain("Présentation d&#39;une initiative — Harnes")
  })

  it('GET and HEAD on the holder link change nothing; unknown or altered tokens are 404 for every method', async () => {
    const res = await book(1)
    const url = String(res.headers.location)
    const before = JSON.stringify(await pitches(t.db))
    for (let i = 0; i < 3; i++) {
      expect((await t.app.inject({ method: 'GET', url, headers: { 'user-agent': `scanner ${i}` }, remoteAddress: `10.0.0.${i}` })).statusCode).toBe(200)
      expect((await t.app.inject({ method: 'HEAD', url, remoteAddress: `10.0.1.${i}` })).statusCode).toBe(200)
    }
    expect(JSON.stringify(await pitches(t.db))).toBe(before)
    const page = await t.app.inject(url)
    expect(page.headers['cache-control']).toBe('no-store')
    expect(page.headers['referrer-policy']).toBe('no-referrer')
    const altered = url.slice(0, -1) + (url.endsWith('A') ? 'B' : 'A')
    for (const u of [altered, url.slice(0, -5), '/pitch/nope']) {
      expect((await t.app.inject(u)).statusCode).toBe(404)
      expect((await t.app.inject({ method: 'POST', url: u, payload: 'action=withdraw', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode).toBe(404)
    }
    expect(JSON.stringify(await pitches(t.db))).toBe(before)
  })

  it("one holder's link cannot act on another booking", async () => {
    const a = await booked(1)
    const b = await booked(2)
    const c = new Client(t.app)
    // A form from page A posted to link B is refused unless B's own page issued it? CSRF is per browser, so
    // the only protection is the token in the URL: posting to A only ever touches A.
    const res = await c.submit(a, { action: 'withdraw', pitch_id: '2' })
    expect(res.statusCode).toBe(303)
    expect((await t.app.inject(b)).body).toContain('data-status="confirmed"')
    expect((await t.app.inject(a)).body).toContain('data-status="withdrawn"')
  })

  it('rate-limits guesses on holder links', async () => {
    const codes = []
    for (let i = 0; i < 35; i++) codes.push((await t.app.inject({ url: `/pitch/${'A'.repeat(42)}${i % 10}` })).statusCode)
    expect(codes).toContain(429)
  })

  it('never limits a valid holder link, however often one address opens it (a mail scanner, a whole office)', async () => {
    const url = String((await book(1)).headers.location)
    const codes = new Set<number>()
    for (let i = 0; i < 60; i++) codes.add((await t.app.inject({ url, remoteAddress: '10.7.0.1' })).statusCode)
    expect([...codes]).toEqual([200])
  })

  it('lets the holder edit until the deadline, then only the facilitator can', async () => {
    const url = String((await book(1)).headers.location)
    const c = new Client(t.app)
    const edit = await c.submit(url, { ...bookingFields(1), action: 'edit', initiative_title: 'Jardin des voisins' })
    expect(edit.statusCode).toBe(303)
    expect((await t.app.inject(url)).body).toContain('Jardin des voisins')
    t.clock.set('2026-12-15T09:00:00.000Z')
    // A tab left open from before the deadline (the page has no edit form now; its withdrawal page has a CSRF field).
    const late = await c.post(url, { ...bookingFields(1), action: 'edit', initiative_title: 'Trop tard', _csrf: csrfToken((await c.get(`${url}/retirer`)).body) })
    expect(late.statusCode).toBe(409)
    expect((await t.app.inject(url)).body).not.toContain('Trop tard')
  })

  it('lets a returning holder pick one of their initiatives for another session, never someone else’s', async () => {
    await publishedSession(t.db, p, '2027-01-29')
    const mine = await booked(1)
    await booked(2)
    const page = await t.app.inject(mine)
    expect(page.body).toContain('Mes initiatives')
    expect(page.body).toContain('Jardin partagé 1')
    const [own, other] = await t.db.selectFrom('initiative').select('id').orderBy('id').execute()
    const c = new Client(t.app)
    const refused = await c.submit(mine, { action: 'rebook', initiative_id: String(other!.id), session_date: '2027-01-29' })
    expect(refused.statusCode).toBe(400)
    const res = await c.submit(mine, { action: 'rebook', initiative_id: String(own!.id), session_date: '2027-01-29' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).not.toBe(mine)
    const rows = await pitches(t.db)
    expect(rows).toHaveLength(3)
    expect(rows[2]!.initiative_id).toBe(own!.id)
    expect(rows[2]!.session_id).not.toBe(sessionId)
    expect((await t.app.inject(String(res.headers.location))).body).toContain('data-status="confirmed"')
  })

  it('moves to a later session on request, freeing the slot', async () => {
    await publishedSession(t.db, p, '2027-01-29')
    const url = await booked(1)
    const res = await new Client(t.app).submit(url, { action: 'move', session_date: '2027-01-29' })
    expect(res.statusCode).toBe(303)
    const row = (await pitches(t.db))[0]!
    expect(row.session_id).not.toBe(sessionId)
    expect(row.status).toBe('confirmed')
    const kinds = (await outbox(t.db)).map((m) => `${m.kind}:${m.ical_method}`)
    expect(kinds).toEqual(['pitch.verify:null', 'pitch.confirmed:REQUEST', 'pitch.moved:CANCEL', 'pitch.confirmed:REQUEST'])
  })
})
