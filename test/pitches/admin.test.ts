import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { bookConfirmed, bookingFields, outbox, pitches, publishedSession } from './helpers.js'

// The facilitator's side of pitch booking: triage, booking by phone, agenda, print, initiatives.

const DATE = '2026-12-18'
const FORM = `/test/sessions/${DATE}/pitch`
const ADMIN = '/admin/p/test'
const PITCHES = `${ADMIN}/sessions/${DATE}/pitches`
const AGENDA = `${ADMIN}/sessions/${DATE}/agenda`
const PRINT = `${ADMIN}/sessions/${DATE}/print`

/** The inside of one group of the triage page. */
function group(html: string, key: string): string {
  return new RegExp(`<section[^>]*data-group="${key}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? ''
}

/** The outbox as "kind:calendar method:recipient", each booking's "confirm your address" email aside (booking.test.ts). */
const mails = async (t: TestApp) => (await outbox(t.db)).filter((m) => m.kind !== 'pitch.verify').map((m) => `${m.kind}:${m.ical_method ?? '-'}:${m.to_email}`)

describe("the facilitator's pitches", () => {
  let t: TestApp
  let p: Platform
  let sessionId: number
  let admin: Client
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, p)
    admin = await facilitatorClient(t.app, t.db, [p.id])
  })
  afterEach(() => t.close())

  /** Booked on the public form and confirmed from the email, as holders do. */
  const book = (n: number | string, extra: Record<string, string | string[]> = {}) => bookConfirmed(t.app, t.db, FORM, bookingFields(n, extra))
  const pitchOf = async (n: number) => (await pitches(t.db)).find((r) => r.holder_id === n)!
  const act = (id: number, form: Record<string, string>) => admin.submit(PITCHES, form, `${PITCHES}/${id}`)
  const reviewMode = () => t.db.updateTable('platform').set({ booking_mode: 'review' }).execute()

  it('groups the bookings: pending, confirmed, waiting list, withdrawn or declined, with everything needed to decide', async () => {
    await reviewMode()
    await book(1, { holder_phone: '03 21 00 00 01', public_title: 'yes' })
    await book(2, { attendance: 'remote' })
    await book(3)
    await book(4)
    await t.db.updateTable('pitch').set({ status: 'confirmed' }).where('holder_id', '=', 2).execute()
    await book(5)
    await t.db.updateTable('pitch').set({ status: 'withdrawn' }).where('holder_id', '=', 3).execute()
    const page = await admin.get(PITCHES)
    expect(page.statusCode).toBe(200)
    expect(page.headers['cache-control']).toBe('no-store')
    const pending = group(page.body, 'pending')
    expect(pending).toContain('Jardin partagé 1')
    expect(pending).toContain('Porteur 1 (Habitant·e)')
    expect(pending).toContain('porteur1@example.org')
    expect(pending).toContain('03 21 00 00 01')
    expect(pending).toContain('Harnes')
    expect(pending).toContain('Environnement')
    expect(pending).toContain('Un local, Des bénévoles')
    expect(pending).toContain('Une idée')
    expect(pending).toContain('Sur place')
    expect(pending).toContain('Oui, le titre peut être affiché')
    expect(pending).toContain('le 23/11/2026 à 10h00')
    expect(pending).toContain('9 h 20 – 10 h')
    expect(pending).not.toContain('Jardin partagé 2')
    const confirmed = group(page.body, 'confirmed')
    expect(confirmed).toContain('Jardin partagé 2')
    expect(confirmed).toContain('À distance')
    expect(confirmed).toContain('10 h – 10 h 40')
    // Holder 3 withdrew after 4 and 5 booked: 4 and 5 wait in arrival order (nobody promoted by a raw update).
    expect(group(page.body, 'waiting')).toMatch(/Jardin partagé 4[\s\S]*Jardin partagé 5/)
    expect(group(page.body, 'closed')).toContain('Jardin partagé 3')
    expect(page.body).toContain('data-free-slots="1"')
    // Actions offered by state: nothing on a withdrawn booking.
    expect(group(page.body, 'closed')).not.toContain('name="action"')
    expect(group(page.body, 'waiting')).toContain('value="confirm"')
    await book(6)
    expect(group((await admin.get(PITCHES)).body, 'waiting')).not.toContain('value="confirm"')
  })

  it('confirms a pending booking in "validation par l\'animatrice" mode: the holder gets the invitation', async () => {
    await reviewMode()
    await book(1)
    const id = (await pitchOf(1)).id
    const res = await act(id, { action: 'confirm' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${PITCHES}?done=confirm#pitch-${id}`)
    expect((await pitchOf(1)).status).toBe('confirmed')
    expect(await mails(t)).toEqual(['pitch.received:-:porteur1@example.org', 'pitch.confirmed:REQUEST:porteur1@example.org'])
    expect((await admin.get(String(res.headers.location))).body).toContain('Présentation confirmée : la personne est prévenue.')
  })

  it('declines with a message: CANCEL for a confirmed holder, and the first waiting holder moves up', async () => {
    for (const n of [1, 2, 3, 4, 5]) await book(n)
    const id = (await pitchOf(2)).id
    const res = await act(id, { action: 'decline', message: "Votre projet relève plutôt de l'atelier de janvier." })
    expect(res.statusCode).toBe(303)
    const row = await pitchOf(2)
    expect(row.status).toBe('declined')
    expect(row.facilitator_message).toBe("Votre projet relève plutôt de l'atelier de janvier.")
    expect((await pitchOf(4)).status).toBe('confirmed')
    expect((await pitchOf(5)).status).toBe('waiting')
    const sent = (await mails(t)).slice(5)
    // Holder 3 moves up into the freed slot and is told; holder 4 takes the last one.
    expect(sent).toEqual(['pitch.declined:CANCEL:porteur2@example.org', 'pitch.promoted:REQUEST:porteur4@example.org', 'pitch.slot:-:porteur3@example.org'])
    const declined = (await outbox(t.db)).find((m) => m.kind === 'pitch.declined')!
    expect(declined.text_body).toContain("Votre projet relève plutôt de l'atelier de janvier.")
  })

  it('declines a pending booking without a calendar message', async () => {
    await reviewMode()
    await book(1)
    await act((await pitchOf(1)).id, { action: 'decline', message: '' })
    expect((await pitchOf(1)).facilitator_message).toBeNull()
    expect((await mails(t)).at(-1)).toBe('pitch.declined:-:porteur1@example.org')
  })

  it('moves a booking to another session', async () => {
    const other = await publishedSession(t.db, p, '2027-01-29')
    await book(1)
    const page = await admin.get(PITCHES)
    expect(page.body).toContain('<option value="2027-01-29">')
    const res = await act((await pitchOf(1)).id, { action: 'move', session_date: '2027-01-29' })
    expect(res.statusCode).toBe(303)
    const row = await pitchOf(1)
    expect(row.session_id).toBe(other)
    expect(row.status).toBe('confirmed')
    expect((await mails(t)).slice(1)).toEqual(['pitch.moved:CANCEL:porteur1@example.org', 'pitch.confirmed:REQUEST:porteur1@example.org'])
    expect(group((await admin.get(`${ADMIN}/sessions/2027-01-29/pitches`)).body, 'confirmed')).toContain('Jardin partagé 1')
    // Not to the same session, a draft, or a date that does not exist.
    await book(2)
    for (const date of [DATE, '2027-02-26', 'nope']) {
      const refused = await act((await pitchOf(2)).id, { action: 'move', session_date: date })
      expect(refused.statusCode).toBe(400)
    }
    expect((await pitchOf(2)).session_id).toBe(sessionId)
  })

  it('puts a confirmed booking on the waiting list, with the calendar cancellation', async () => {
    await book(1)
    await act((await pitchOf(1)).id, { action: 'waitlist' })
    expect((await pitchOf(1)).status).toBe('waiting')
    expect((await mails(t)).at(-1)).toBe('pitch.waiting:CANCEL:porteur1@example.org')
    // Confirming it again works while a slot is free; with every slot held it is refused and stays waiting.
    expect((await act((await pitchOf(1)).id, { action: 'confirm' })).statusCode).toBe(303)
    expect((await pitchOf(1)).status).toBe('confirmed')
    await act((await pitchOf(1)).id, { action: 'waitlist' })
    for (const n of [2, 3, 4]) await book(n)
    const full = await act((await pitchOf(1)).id, { action: 'confirm' })
    expect(full.statusCode).toBe(409)
    expect(full.body).toContain('Aucun créneau libre')
    expect((await pitchOf(1)).status).toBe('waiting')
  })

  it('reorders held pitches: positions, slot times on the triage and public pages', async () => {
    for (const n of [1, 2, 3]) await book(n, { public_title: 'yes' })
    const before = (await t.app.inject(`/test/sessions/${DATE}`)).body
    expect(before.indexOf('Jardin partagé 1')).toBeLessThan(before.indexOf('Jardin partagé 2'))
    const res = await act((await pitchOf(1)).id, { action: 'down' })
    expect(res.statusCode).toBe(303)
    expect([(await pitchOf(1)).position, (await pitchOf(2)).position]).toEqual([2, 1])
    const pub = (await t.app.inject(`/test/sessions/${DATE}`)).body
    expect(pub).toMatch(/9 h 20<\/span> Jardin partagé 2/)
    expect(pub).toMatch(/10 h<\/span> Jardin partagé 1/)
    const triage = (await admin.get(PITCHES)).body
    expect(triage).toMatch(/Jardin partagé 2[\s\S]*?9 h 20 – 10 h[\s\S]*Jardin partagé 1[\s\S]*?10 h – 10 h 40/)
    await act((await pitchOf(3)).id, { action: 'up' })
    expect((await pitches(t.db)).sort((a, b) => a.position - b.position).map((r) => r.holder_id)).toEqual([2, 3, 1])
    // The first cannot go up (no button, and a forged POST changes nothing).
    expect(triage).not.toContain('Faire passer Jardin partagé 2 plus tôt')
    await act((await pitchOf(2)).id, { action: 'up' })
    expect((await pitches(t.db)).sort((a, b) => a.position - b.position).map((r) => r.holder_id)).toEqual([2, 3, 1])
    // Each move told the two holders who swapped times (slot-times.test.ts), the forged one nobody.
    expect((await mails(t)).slice(3)).toEqual(['pitch.slot:-:porteur2@example.org', 'pitch.slot:-:porteur1@example.org', 'pitch.slot:-:porteur3@example.org', 'pitch.slot:-:porteur1@example.org'])
  })

  it('adds a booking for someone who telephoned, after the holders\' deadline, with the oral consent ticked', async () => {
    t.clock.set('2026-12-15T09:00:00.000Z') // the public form is closed (7 days before)
    await admin.login('camille@test.example.org')
    const form = await admin.get(`${PITCHES}/new`)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('La personne a donné son accord')
    const fields = bookingFields(9, { consent: '', holder_phone: '06 11 22 33 44' })
    const missing = await admin.submit(`${PITCHES}/new`, fields)
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Cochez « La personne a donné son accord »')
    expect(missing.body).toContain('value="porteur9@example.org"')
    expect(await pitches(t.db)).toHaveLength(0)
    const res = await admin.submit(`${PITCHES}/new`, { ...fields, consent: 'yes' })
    expect(res.statusCode).toBe(303)
    const [row] = await pitches(t.db)
    expect(res.headers.location).toBe(`${PITCHES}?done=added#pitch-${row!.id}`)
    expect(row!.status).toBe('confirmed')
    const holder = await t.db.selectFrom('holder').selectAll().executeTakeFirstOrThrow()
    expect(holder.phone).toBe('06 11 22 33 44')
    expect(await mails(t)).toEqual(['pitch.confirmed:REQUEST:porteur9@example.org'])
    // …while the public form is closed to holders.
    expect((await new Client(t.app).get(FORM)).body).toContain('Les inscriptions à cette réunion sont closes')
    // The same person again: their booking is found, nothing doubles.
    const again = await admin.submit(`${PITCHES}/new`, { ...fields, consent: 'yes' })
    expect(again.headers.location).toBe(`${PITCHES}?done=existing#pitch-${row!.id}`)
    expect(await pitches(t.db)).toHaveLength(1)
    // Not on a past session.
    t.clock.set('2026-12-18T12:00:00.000Z')
    await admin.login('camille@test.example.org')
    expect((await admin.get(`${PITCHES}/new`)).body).toContain("n'accepte plus d'inscriptions")
  })

  it('books by phone someone without an email address: their messages go to the facilitator, who is told so, and their sheet prints', async () => {
    const fields = bookingFields(9, { holder_email: '', holder_phone: '06 11 22 33 44', consent: 'yes' })
    const res = await admin.submit(`${PITCHES}/new`, fields)
    expect(res.statusCode).toBe(303)
    const [row] = await pitches(t.db)
    expect(res.headers.location).toBe(`${PITCHES}?done=added-proxy#pitch-${row!.id}`)
    expect(row!.status).toBe('confirmed')
    expect((await t.db.selectFrom('holder').select(['email', 'email_key']).executeTakeFirstOrThrow())).toEqual({ email: null, email_key: null })
    // The holder's email reaches the platform's mailbox, saying whom it is for; no calendar invitation for the team.
    const [mail] = await outbox(t.db)
    expect([mail!.kind, mail!.to_email, mail!.ical]).toEqual(['pitch.confirmed', 'animation@test.example.org', null])
    // The note to pass it on is the message's first line, before the greeting.
    expect(mail!.text_body.split('\n')[0]).toBe("Ce message est destiné à Porteur 9, qui n'a pas d'adresse e-mail : merci de le lui transmettre (téléphone : 06 11 22 33 44).")
    expect(mail!.html_body).toContain('data-forward')
    const triage = (await admin.get(String(res.headers.location))).body
    expect(triage).toContain("La personne n&#39;a pas d&#39;adresse e-mail : ses messages vous sont envoyés")
    expect(triage).toContain(`href="${PITCHES}/${row!.id}/print"`)
    // The sheet to hand over: the booking and the address of the person's page, which opens.
    const sheet = await admin.get(`${PITCHES}/${row!.id}/print`)
    expect(sheet.statusCode).toBe(200)
    expect(sheet.body).toContain('Bonjour Porteur 9')
    expect(sheet.body).toContain('Jardin partagé 9')
    const link = /http:\/\/fabrik\.test(\/pitch\/[A-Za-z0-9_-]{43})/.exec(sheet.body)![1]!
    expect((await t.app.inject(link)).body).toContain('data-status="confirmed"')
    // The same person (same name and phone) again: found, not doubled.
    expect((await admin.submit(`${PITCHES}/new`, fields)).headers.location).toBe(`${PITCHES}?done=existing#pitch-${row!.id}`)
    // A decision reaches the facilitator too.
    await act(row!.id, { action: 'decline', message: 'Rappelez-nous.' })
    const declined = (await outbox(t.db)).at(-1)!
    expect([declined.kind, declined.to_email, declined.ical_method]).toEqual(['pitch.declined', 'animation@test.example.org', null])
    expect(declined.text_body).toContain('Rappelez-nous.')
    expect(declined.text_body.split('\n')[0]).toContain('Ce message est destiné à Porteur 9')
  })

  describe('the agenda', () => {
    const agenda = () => t.db.selectFrom('agenda_item').selectAll().where('session_id', '=', sessionId).orderBy('position').execute()
    const twoLongSlots = {
      kind: ['welcome', 'pitch', 'pitch', 'exchange', 'end', 'other'],
      title: ['Accueil', 'Présentation', 'Présentation', 'Échanges', 'Fin', ''],
      duration: ['20', '50', '50', '30', '0', ''],
      position: ['1', '2', '3', '4', '5', '6'],
    }

    it('shows the rows with their computed times', async () => {
      const page = await admin.get(AGENDA)
      expect(page.statusCode).toBe(200)
      expect(page.body).toContain('9 h 20 – 10 h')
      expect(page.body).toContain('value="Accueil et tour de table"')
      expect((page.body.match(/name="title"/g) ?? [])).toHaveLength(8)
    })

    it('saves two pitch slots of 50 minutes: times and free slots follow on the public side', async () => {
      const res = await admin.submit(AGENDA, twoLongSlots)
      expect(res.statusCode).toBe(303)
      expect(res.headers.location).toBe(`${AGENDA}?saved=1`)
      const items = await agenda()
      expect(items.map((i) => `${i.position}:${i.kind}:${i.duration_minutes}`)).toEqual(['1:welcome:20', '2:pitch:50', '3:pitch:50', '4:exchange:30', '5:end:0'])
      const session = await t.db.selectFrom('session').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow()
      expect(session.pitch_slots).toBe(2)
      const pub = (await t.app.inject(`/test/sessions/${DATE}`)).body
      expect(pub).toMatch(/9 h 20<\/span> Présentation/)
      expect(pub).toMatch(/10 h 10<\/span> Présentation/)
      expect(pub).toMatch(/11 h<\/span> Échanges/)
      expect(pub).toMatch(/11 h 30<\/span> Fin/)
      const json = () => t.app.inject('/test/sessions.json').then((r) => r.json() as Array<{ date: string; freePitchSlots: number }>)
      expect((await json())[0]!.freePitchSlots).toBe(2)
      await book(1)
      expect((await json())[0]!.freePitchSlots).toBe(1)
      expect((await admin.get(PITCHES)).body).toContain('9 h 20 – 10 h 10')
      // The times follow the session when it starts later: nothing stored to update.
      await t.db.updateTable('session').set({ start_time: '14:00', end_time: '17:00' }).where('id', '=', sessionId).execute()
      expect((await t.app.inject(`/test/sessions/${DATE}`)).body).toMatch(/14 h 20<\/span> Présentation/)
    })

    it('removes a row, reorders by position, and adds a row without saving', async () => {
      const add = await admin.submit(AGENDA, { ...twoLongSlots, op: 'add' })
      expect(add.statusCode).toBe(200)
      expect((add.body.match(/name="title"/g) ?? [])).toHaveLength(6)
      expect(await agenda()).toHaveLength(7)
      const res = await admin.submit(AGENDA, { ...twoLongSlots, position: ['2', '1', '3', '4', '5', '6'], remove: ['3'] })
      expect(res.statusCode).toBe(303)
      expect((await agenda()).map((i) => i.title)).toEqual(['Présentation', 'Accueil', 'Présentation', 'Fin'])
    })

    it('refuses an agenda that ends after the session: 400, rows kept, nothing saved', async () => {
      const before = await agenda()
      const res = await admin.submit(AGENDA, { ...twoLongSlots, duration: ['20', '90', '90', '30', '0', ''] })
      expect(res.statusCode).toBe(400)
      expect(res.body).toContain('Ce déroulé se termine à 12 h 50, après la fin de la séance (12 h)')
      expect(res.body).toContain('value="90"')
      expect(res.body).toContain('value="Échanges"')
      expect(await agenda()).toEqual(before)
      const empty = await admin.submit(AGENDA, { kind: ['other'], title: [''], duration: [''], position: ['1'] })
      expect(empty.statusCode).toBe(400)
      expect(empty.body).toContain('Le déroulé doit comporter au moins une ligne.')
      const bad = await admin.submit(AGENDA, { ...twoLongSlots, title: ['Accueil', '', 'Présentation', 'Échanges', 'Fin', ''] })
      expect(bad.statusCode).toBe(400)
      expect(bad.body).toContain('id="title-1-error"')
      expect(await agenda()).toEqual(before)
    })

    it('refuses fewer pitch slots than pitches already holding one', async () => {
      for (const n of [1, 2, 3]) await book(n)
      const res = await admin.submit(AGENDA, twoLongSlots)
      expect(res.statusCode).toBe(400)
      expect(res.body).toContain('Ce déroulé prévoit 2 créneau(x) de présentation, mais 3 présentation(s) occupent déjà un créneau')
      expect((await agenda()).filter((i) => i.kind === 'pitch')).toHaveLength(3)
      // Once one is on the waiting list, two slots are enough.
      await act((await pitchOf(3)).id, { action: 'waitlist' })
      expect((await admin.submit(AGENDA, twoLongSlots)).statusCode).toBe(303)
    })
  })

  it('prints the agenda with the pitches and the sign-in sheet, without scripts', async () => {
    await reviewMode()
    await book(1, { holder_name: 'Awa Diallo' })
    await book(2)
    await t.db.updateTable('pitch').set({ status: 'confirmed' }).where('holder_id', '=', 1).execute()
    const res = await admin.get(PRINT)
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<html lang="fr">')
    expect(res.body).toContain('href="/assets/print.css"')
    expect(res.body).not.toContain('<script')
    expect(res.body).not.toContain('style=')
    expect(res.body).toContain('Plateforme test')
    expect(res.body).toContain('Séance du vendredi 18 décembre 2026')
    expect(res.body).toContain('9 h – 12 h')
    expect(res.body).toContain('Lieu à déterminer')
    expect(res.body).toMatch(/9 h 20 – 10 h<\/td>\s*<td><strong>Jardin partagé 1<\/strong> — Awa Diallo/)
    expect(res.body).toContain('à confirmer')
    expect(res.body).toContain("Feuille d'émargement")
    expect((res.body.match(/data-signer/g) ?? [])).toHaveLength(1)
    expect((res.body.match(/data-blank/g) ?? [])).toHaveLength(10)
    const css = await t.app.inject('/assets/print.css')
    expect(css.statusCode).toBe(200)
    expect(css.body).toContain('size: A4')
    // In visio, the link is printed instead of a place.
    await t.db.updateTable('session').set({ mode: 'videoconference', video_url: 'https://visio.example.org/dec' }).execute()
    expect((await admin.get(PRINT)).body).toContain('https://visio.example.org/dec')
  })

  describe('initiatives', () => {
    const INITIATIVES = `${ADMIN}/initiatives`
    const initiatives = () => t.db.selectFrom('initiative').selectAll().orderBy('id').execute()

    it('records an idea without a holder, lists it under the filter, then attaches a holder', async () => {
      await book(1)
      const bad = await admin.submit(`${INITIATIVES}/new`, { initiative_title: '', initiative_summary: 'Un café', commune_id: '' })
      expect(bad.statusCode).toBe(400)
      expect(bad.body).toContain('Ce champ est obligatoire.')
      expect(bad.body).toContain('Un café')
      const res = await admin.submit(`${INITIATIVES}/new`, { initiative_title: 'Café des parents', initiative_summary: 'Un café pour les parents à la sortie de l’école.', domain: 'social', needs: ['local'], stage: '', commune_id: '' })
      expect(res.statusCode).toBe(303)
      const idea = (await initiatives()).find((i) => i.title === 'Café des parents')!
      expect(res.headers.location).toBe(`${INITIATIVES}/${idea.id}?done=created`)
      expect(idea).toMatchObject({ domain: 'social', needs: 'local', stage: null, commune_id: null, merged_into_id: null })
      const all = (await admin.get(INITIATIVES)).body
      expect(all).toContain('Café des parents')
      expect(all).toContain('Jardin partagé 1')
      const orphans = (await admin.get(`${INITIATIVES}?holder=none`)).body
      expect(orphans).toContain('Café des parents')
      expect(orphans).not.toContain('Jardin partagé 1')
      const attach = await admin.submit(`${INITIATIVES}/${idea.id}`, { holder_name: 'Nadia Benali', holder_email: 'nadia@example.org', holder_phone: '', holder_kind: 'association' }, `${INITIATIVES}/${idea.id}/holders`)
      expect(attach.statusCode).toBe(303)
      const holder = await t.db.selectFrom('holder').selectAll().where('email_key', '=', 'nadia@example.org').executeTakeFirstOrThrow()
      expect(holder.kind).toBe('association')
      expect(await t.db.selectFrom('initiative_holder').selectAll().where('initiative_id', '=', idea.id).execute()).toEqual([{ initiative_id: idea.id, holder_id: holder.id }])
      expect((await admin.get(`${INITIATIVES}/${idea.id}`)).body).toContain('nadia@example.org')
      expect((await admin.get(`${INITIATIVES}?holder=none`)).body).not.toContain('Café des parents')
      // An existing holder (by email, any case) is linked, not duplicated, and keeps their phone.
      await t.db.updateTable('holder').set({ phone: '03 21 11 11 11' }).where('id', '=', 1).execute()
      await admin.submit(`${INITIATIVES}/${idea.id}`, { holder_name: 'Porteur 1', holder_email: 'PORTEUR1@example.org', holder_phone: '', holder_kind: 'resident' }, `${INITIATIVES}/${idea.id}/holders`)
      expect(await t.db.selectFrom('holder').selectAll().execute()).toHaveLength(2)
      expect((await t.db.selectFrom('holder').selectAll().where('id', '=', 1).executeTakeFirstOrThrow()).phone).toBe('03 21 11 11 11')
      const refused = await admin.submit(`${INITIATIVES}/${idea.id}`, { holder_name: 'X', holder_email: 'pas une adresse', holder_kind: 'resident' }, `${INITIATIVES}/${idea.id}/holders`)
      expect(refused.statusCode).toBe(400)
      expect(refused.body).toContain('Adresse e-mail invalide.')
    })

    it('merges a duplicate: pitches and holders move, the duplicate disappears from lists', async () => {
      await publishedSession(t.db, p, '2027-01-29')
      await book(1, { initiative_title: 'Ressourcerie de Harnes' })
      await new Client(t.app).submit('/test/sessions/2027-01-29/pitch', bookingFields(2, { initiative_title: 'La ressourcerie' }))
      const [keep, dup] = await initiatives()
      const self = await admin.submit(`${INITIATIVES}/${dup!.id}`, { into_id: String(dup!.id) }, `${INITIATIVES}/${dup!.id}/merge`)
      expect(self.statusCode).toBe(400)
      expect(self.body).toContain('ne peut pas être fusionnée avec elle-même')
      const res = await admin.submit(`${INITIATIVES}/${dup!.id}`, { into_id: String(keep!.id) }, `${INITIATIVES}/${dup!.id}/merge`)
      expect(res.statusCode).toBe(303)
      expect(res.headers.location).toBe(`${INITIATIVES}/${keep!.id}?done=merged`)
      expect((await pitches(t.db)).map((r) => r.initiative_id)).toEqual([keep!.id, keep!.id])
      expect((await initiatives()).find((i) => i.id === dup!.id)!.merged_into_id).toBe(keep!.id)
      const links = await t.db.selectFrom('initiative_holder').selectAll().orderBy('holder_id').execute()
      expect(links).toEqual([{ initiative_id: keep!.id, holder_id: 1 }, { initiative_id: keep!.id, holder_id: 2 }])
      const list = (await admin.get(INITIATIVES)).body
      expect(list).not.toContain('La ressourcerie')
      const kept = (await admin.get(`${INITIATIVES}/${keep!.id}`)).body
      expect(kept).toContain('Porteur 2')
      expect(kept).toMatch(/ven\. 29 janv\. 2027/)
      expect(kept).toContain('Doublons fusionnés')
      const old = await admin.get(`${INITIATIVES}/${dup!.id}`)
      expect(old.statusCode).toBe(302)
      expect(old.headers.location).toBe(`${INITIATIVES}/${keep!.id}`)
    })
  })

  describe('another platform', () => {
    let otherPitchId: number
    let otherInitiativeId: number
    beforeEach(async () => {
      const other = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
      await publishedSession(t.db, other)
      await new Client(t.app).submit(`/autre/sessions/${DATE}/pitch`, bookingFields('x'))
      const row = (await pitches(t.db))[0]!
      otherPitchId = row.id
      otherInitiativeId = row.initiative_id
      await book(1)
    })

    it('answers 404 for its pages, pitches and initiatives, and changes nothing', async () => {
      const before = JSON.stringify([await pitches(t.db), await t.db.selectFrom('initiative').selectAll().execute()])
      for (const url of [`/admin/p/autre/sessions/${DATE}/pitches`, `/admin/p/autre/sessions/${DATE}/agenda`, `/admin/p/autre/sessions/${DATE}/print`, '/admin/p/autre/initiatives', `${ADMIN}/initiatives/${otherInitiativeId}`, `${ADMIN}/sessions/2026-12-19/pitches`]) {
        expect((await admin.get(url)).statusCode, url).toBe(404)
      }
      expect((await act(otherPitchId, { action: 'decline', message: '' })).statusCode).toBe(404)
      expect((await act(otherPitchId, { action: 'up' })).statusCode).toBe(404)
      expect((await admin.submit(PITCHES, { holder_name: 'X', holder_email: 'x@example.org', holder_kind: 'resident' }, `${ADMIN}/initiatives/${otherInitiativeId}/holders`)).statusCode).toBe(404)
      const mine = (await pitches(t.db)).find((r) => r.id !== otherPitchId)!
      expect((await admin.submit(PITCHES, { into_id: String(mine.initiative_id) }, `${ADMIN}/initiatives/${otherInitiativeId}/merge`)).statusCode).toBe(404)
      // Merging into another platform's initiative is refused as an unknown choice.
      const across = await admin.submit(PITCHES, { into_id: String(otherInitiativeId) }, `${ADMIN}/initiatives/${mine.initiative_id}/merge`)
      expect(across.statusCode).toBe(400)
      expect(across.body).toContain('Choisissez dans la liste l&#39;initiative à garder.')
      expect(JSON.stringify([await pitches(t.db), await t.db.selectFrom('initiative').selectAll().execute()])).toBe(before)
    })

    it('keeps the facilitator pages behind the login', async () => {
      const anonymous = new Client(t.app)
      const res = await anonymous.get(PITCHES)
      expect(res.statusCode).toBe(303)
      expect(res.headers.location).toMatch(/^\/login\?next=/)
      const post = await anonymous.post(`${PITCHES}/1`, { action: 'confirm' })
      expect(post.statusCode).toBe(401)
    })
  })

  it('shows <script> in an initiative title as text on the triage, initiative and print pages', async () => {
    const evil = '<script>alert(1)</script>"><svg onload=x>'
    await book(1, { initiative_title: evil, holder_name: 'Eve "<b>"' })
    const id = (await pitchOf(1)).initiative_id
    for (const url of [PITCHES, `${ADMIN}/initiatives`, `${ADMIN}/initiatives/${id}`, PRINT]) {
      const html = (await admin.get(url)).body
      expect(html, url).not.toContain('<script>alert(1)')
      expect(html, url).not.toContain('<svg onload')
      expect(html, url).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    }
  })
})
