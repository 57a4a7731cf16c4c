import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backgroundTick } from '../../src/background.js'
import type { Platform } from '../../src/db/schema.js'
import { addressConfirmed, holdEnd, holdLapsed, mayBePromoted, mayMailLink, releasedUnconfirmed } from '../../src/pitches/holds.js'
import { promotedStatus, statusForNewBooking, statusOnAddressConfirmed } from '../../src/pitches/waiting-list.js'
import { buildTestApp, Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'
import { bookConfirmed, bookingFields, confirmationLink, outbox, pitches, publishedSession, sentText } from './helpers.js'

// Issue #25 §1: the public form never opens the booking of someone the platform knows, never changes their
// details, and a booking holds its slot only until its holder confirms from the email (or the hold ends).

const DATE = '2026-12-18'
const FORM = `/test/sessions/${DATE}/pitch`
const SENT = `${FORM}/envoye`

describe('the rules of an unconfirmed hold', () => {
  it('holds for the platform’s hours, never past the session’s start', () => {
    expect(holdEnd(new Date('2026-11-23T09:00:00.000Z'), 48, '2026-12-18T08:00:00.000Z')).toBe('2026-11-25T09:00:00.000Z')
    expect(holdEnd(new Date('2026-12-17T09:00:00.000Z'), 48, '2026-12-18T08:00:00.000Z')).toBe('2026-12-18T08:00:00.000Z')
  })

  it('lapses only unconfirmed live bookings whose hold has ended; promotes only those still in time', () => {
    const p = { status: 'pending' as const, address_confirmed_at: null, hold_until: '2026-11-25T09:00:00.000Z' }
    expect(holdLapsed(p, '2026-11-25T08:59:59.999Z')).toBe(false)
    expect(holdLapsed(p, '2026-11-25T09:00:00.000Z')).toBe(true)
    expect(holdLapsed({ ...p, status: 'waiting' }, '2026-11-26T00:00:00.000Z')).toBe(true)
    expect(holdLapsed({ ...p, status: 'withdrawn' }, '2026-11-26T00:00:00.000Z')).toBe(false)
    expect(holdLapsed({ ...p, address_confirmed_at: '2026-11-24T00:00:00.000Z' }, '2026-11-26T00:00:00.000Z')).toBe(false)
    expect(mayBePromoted(p, '2026-11-24T00:00:00.000Z')).toBe(true)
    expect(mayBePromoted(p, '2026-11-26T00:00:00.000Z')).toBe(false)
    expect(mayBePromoted({ address_confirmed_at: 'x', hold_until: null }, '2030-01-01T00:00:00.000Z')).toBe(true)
    expect(releasedUnconfirmed({ ...p, status: 'withdrawn', updated_at: '2026-11-25T09:00:05.000Z' })).toBe(true)
    expect(releasedUnconfirmed({ ...p, status: 'withdrawn', updated_at: '2026-11-24T09:00:00.000Z' })).toBe(false) // withdrawn by them
  })

  it('never confirms a booking before its address is; confirmation gives what the mode says', () => {
    expect(statusForNewBooking(3, 0, 'auto', false)).toBe('pending')
    expect(statusForNewBooking(3, 0, 'auto', true)).toBe('confirmed')
    expect(statusForNewBooking(3, 3, 'auto', false)).toBe('waiting')
    expect(promotedStatus('auto', false)).toBe('pending')
    expect(promotedStatus('auto', true)).toBe('confirmed')
    expect(promotedStatus('review', true)).toBe('pending')
    expect(statusOnAddressConfirmed('pending', 'auto')).toBe('confirmed')
    expect(statusOnAddressConfirmed('pending', 'review')).toBe('pending')
    expect(statusOnAddressConfirmed('waiting', 'auto')).toBe('waiting')
    expect([0, 1, 2, 3].map(mayMailLink)).toEqual([true, true, true, false])
    // Only the public form's bookings wait (they carry a hold's end); any other row counts as confirmed.
    expect(addressConfirmed({ address_confirmed_at: null, hold_until: '2026-11-25T09:00:00.000Z' })).toBe(false)
    expect(addressConfirmed({ address_confirmed_at: null, hold_until: null })).toBe(true)
    expect(addressConfirmed({ address_confirmed_at: '2026-11-24T00:00:00.000Z', hold_until: null })).toBe(true)
  })
})

describe('booking with an address the platform knows', () => {
  let t: TestApp
  let p: Platform
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    await publishedSession(t.db, p)
  })
  afterEach(() => t.close())

  const holderRow = () => t.db.selectFrom('holder').selectAll().where('email_key', '=', 'porteur1@example.org').executeTakeFirstOrThrow()
  const attack = (extra: Record<string, string> = {}, form = FORM) => new Client(t.app, {}, '10.66.0.1')
    .submit(form, bookingFields('x', { holder_email: 'Porteur1@Example.org', holder_name: 'Mallory', holder_phone: '06 66 66 66 66', initiative_title: 'Arnaque', ...extra }))

  it('the takeover attempt gets no link and changes nothing', async () => {
    const mine = await bookConfirmed(t.app, t.db, FORM, bookingFields(1, { holder_phone: '03 21 00 00 01' }))
    const [holder, rows, mails] = [await holderRow(), await pitches(t.db), (await outbox(t.db)).length]
    t.clock.advance(60_000)
    const res = await attack()
    // "Check your email", never a personal link, and nothing in the answer that opens one.
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(SENT)
    const sentPage = await new Client(t.app, {}, '10.66.0.1').get(SENT)
    expect(sentPage.statusCode).toBe(200)
    expect(sentPage.body).toContain('Vérifiez votre messagerie')
    expect(sentPage.body).toContain('Si cette adresse e-mail est déjà connue')
    expect(sentPage.body).not.toMatch(/\/pitch\/[A-Za-z0-9_-]{43}/)
    expect(sentPage.body).not.toContain('porteur1@example.org')
    // Nothing of the holder changed: name, phone, booking, initiatives.
    expect(await holderRow()).toEqual(holder)
    expect(await pitches(t.db)).toEqual(rows)
    expect((await t.db.selectFrom('initiative').select('title').execute()).map((i) => i.title)).toEqual(['Jardin partagé 1'])
    // The holder's own address (never one typed) is told, with their own link, and greeted by their name.
    const told = (await outbox(t.db)).slice(mails)
    expect(told.map((m) => `${m.kind}:${m.to_email}:${m.to_name}`)).toEqual(['pitch.link:porteur1@example.org:Porteur 1'])
    expect(sentText(t.app, told[0]!)).toContain(`http://fabrik.test${mine}`)
    expect(told[0]!.text_body).toContain('Bonjour Porteur 1,')
    expect(told[0]!.text_body).not.toContain('Mallory')
    // Their page is theirs still.
    const page = await t.app.inject(mine)
    expect(page.body).toContain('data-status="confirmed"')
    expect(page.body).toContain('value="Porteur 1"')
    expect(page.body).not.toContain('Mallory')
  })

  it('another session booked with a known address: held for the mailbox to confirm, shown nowhere before that', async () => {
    await publishedSession(t.db, p, '2027-01-29')
    const mine = await bookConfirmed(t.app, t.db, FORM, bookingFields(1))
    const holder = await holderRow()
    const res = await attack({}, '/test/sessions/2027-01-29/pitch')
    expect(res.headers.location).toBe('/test/sessions/2027-01-29/pitch/envoye')
    expect(await holderRow()).toEqual(holder)
    const added = (await pitches(t.db)).at(-1)!
    expect(added.holder_id).toBe(holder.id)
    expect([added.status, added.address_confirmed_at, added.form_nonce_hash]).toEqual(['pending', null, null])
    const [last] = (await outbox(t.db)).slice(-1)
    expect(`${last!.kind}:${last!.to_email}`).toBe('pitch.verify:porteur1@example.org')
    expect(last!.text_body).toContain('Ce n\'est pas vous ? Ne faites rien')
    // The holder's page does not list what a stranger typed under their name.
    expect((await t.app.inject(mine)).body).not.toContain('Arnaque')
    // Same title as one of theirs: their initiative is used as it is, never rewritten.
    const before = await t.db.selectFrom('initiative').selectAll().where('title', '=', 'Jardin partagé 1').executeTakeFirstOrThrow()
    await publishedSession(t.db, p, '2027-02-26')
    await attack({ initiative_title: 'Jardin partagé 1', initiative_summary: 'Réécrit par quelqu’un d’autre.' }, '/test/sessions/2027-02-26/pitch')
    expect(await t.db.selectFrom('initiative').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow()).toEqual(before)
  })

  it('mails one holder at most three links an hour, whatever the form is sent', async () => {
    await bookConfirmed(t.app, t.db, FORM, bookingFields(1)) // its confirmation email is the first
    for (let i = 0; i < 5; i++) expect((await attack()).headers.location).toBe(SENT)
    const links = async () => (await outbox(t.db)).filter((m) => m.kind === 'pitch.verify' || m.kind === 'pitch.link').length
    expect(await links()).toBe(3)
    t.clock.advance(61 * 60_000)
    await attack()
    expect(await links()).toBe(4)
  })

  it('only the emailed link confirms; the form’s own answer cannot, and a confirmed booking stays so', async () => {
    const url = String((await new Client(t.app).submit(FORM, bookingFields(1))).headers.location)
    const refused = await new Client(t.app).submit(url, { action: 'confirm' })
    expect(refused.statusCode).toBe(403)
    expect((await pitches(t.db))[0]!.address_confirmed_at).toBeNull()
    // Someone who typed a stranger's address sees nothing of theirs from the unconfirmed page either.
    for (const action of ['rebook', 'feed', 'details']) expect((await new Client(t.app).submit(url, { action })).statusCode).toBe(403)
    const link = await confirmationLink(t.app, t.db, 'porteur1@example.org')
    expect((await new Client(t.app).submit(link, { action: 'confirm' })).statusCode).toBe(303)
    expect((await new Client(t.app).submit(link, { action: 'confirm' })).statusCode).toBe(303)
    expect((await outbox(t.db)).map((m) => m.kind)).toEqual(['pitch.verify', 'pitch.confirmed'])
  })
})

describe('an unconfirmed hold that ends', () => {
  let t: TestApp
  let p: Platform
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    await publishedSession(t.db, p)
  })
  afterEach(() => t.close())

  it('is released on the worker’s beat after the platform’s delay: the waiting list moves up, the address is not written to', async () => {
    const ghost = String((await new Client(t.app).submit(FORM, bookingFields('ghost', { holder_email: 'personne@nulle-part.example' }))).headers.location)
    for (const n of [2, 3, 4]) await bookConfirmed(t.app, t.db, FORM, bookingFields(n)) // 4 waits
    const admin = await facilitatorClient(t.app, t.db, [p.id])
    const triage = (await admin.get(`/admin/p/test/sessions/${DATE}/pitches`)).body
    expect(triage).toContain('en attente de confirmation par la personne')
    expect(triage).toContain('(sinon annulée le 25/11/2026 à 10h00)')
    const status = async (email: string) => (await t.db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id').select('pitch.status').where('holder.email', '=', email).executeTakeFirstOrThrow()).status
    t.clock.set('2026-11-25T08:59:00.000Z')
    await backgroundTick(t.app.ctx)
    expect(await status('personne@nulle-part.example')).toBe('pending')
    const mails = (await outbox(t.db)).length
    t.clock.set('2026-11-25T09:00:30.000Z')
    await backgroundTick(t.app.ctx)
    expect(await status('personne@nulle-part.example')).toBe('withdrawn')
    expect(await status('porteur4@example.org')).toBe('confirmed')
    const after = (await outbox(t.db)).slice(mails)
    expect(after.map((m) => m.to_email)).not.toContain('personne@nulle-part.example')
    expect(after.map((m) => `${m.kind}:${m.to_email}`)).toContain('pitch.promoted:porteur4@example.org')
    const page = await t.app.inject(ghost)
    expect(page.body).toContain('data-status="withdrawn"')
    expect(page.body).toContain("n'a pas été confirmée à temps")
    // Its confirmation link, opened late, cannot bring it back.
    const late = new Client(t.app)
    const res = await late.post(await confirmationLink(t.app, t.db, 'personne@nulle-part.example'), { action: 'confirm', _csrf: csrfToken((await late.get('/login')).body) })
    expect(res.statusCode).toBe(303)
    expect(await status('personne@nulle-part.example')).toBe('withdrawn')
  })

  it('lasts what the platform says: the setting is in its settings form', async () => {
    const admin = await facilitatorClient(t.app, t.db, [p.id])
    const settings = await admin.get('/admin/p/test/settings')
    expect(settings.body).toContain('name="booking_hold_hours" type="text" value="48"')
    await t.db.updateTable('platform').set({ booking_hold_hours: 2 }).execute()
    await new Client(t.app).submit(FORM, bookingFields(1))
    expect((await pitches(t.db))[0]!.hold_until).toBe('2026-11-23T11:00:00.000Z')
  })

  it('a facilitator cannot validate a booking its holder has not confirmed', async () => {
    await t.db.updateTable('platform').set({ booking_mode: 'review' }).execute()
    await new Client(t.app).submit(FORM, bookingFields(1))
    const admin = await facilitatorClient(t.app, t.db, [p.id])
    const id = (await pitches(t.db))[0]!.id
    const page = await admin.get(`/admin/p/test/sessions/${DATE}/pitches`)
    expect(page.body).not.toContain('value="confirm"')
    const res = await admin.post(`/admin/p/test/sessions/${DATE}/pitches/${id}`, { action: 'confirm', _csrf: csrfToken(page.body) })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain("n&#39;a pas encore confirmé sa réservation")
    expect((await pitches(t.db))[0]!.status).toBe('pending')
  })
})
