import { afterEach, describe, expect, it } from 'vitest'
import { withLinks } from '../../src/mail/links.js'
import { pitchToken } from '../../src/pitches/booking.js'
import { insertAdvice } from '../../src/partners/advice.js'
import { findPitchRecord, sessionAttendanceRows } from '../../src/record/store.js'
import { Client, createPlatform, csrfToken, facilitatorClient } from '../helpers/app.js'
import { ATTENDANCE, LATER, RECORD, rollFields, world, type World } from './helpers.js'

let w: World
afterEach(async () => { await w?.t.close() })

/** Marks Hélène on site, Marc absent, and adds the walk-in Julie (centres sociaux); returns her attendance id. */
async function recordAttendance() {
  const html = (await w.admin.get(ATTENDANCE)).body
  const res = await w.admin.post(ATTENDANCE, {
    ...rollFields(html), _csrf: csrfToken(html), [`presence_c${w.contacts.helene}`]: 'on_site', [`presence_c${w.contacts.marc}`]: 'absent',
    walkin_name: 'Julie Carpentier', walkin_organisation: 'Fédération des centres sociaux', walkin_presence: 'on_site',
  })
  expect(res.statusCode).toBe(303)
  return (await sessionAttendanceRows(w.t.db, w.sessionId)).find((r) => r.name === 'Julie Carpentier')!.id
}

async function recordForm(client: Client, pitchId: number, fields: Record<string, string>) {
  const html = (await client.get(RECORD)).body
  const version = new RegExp(`name="pitch_id" value="${pitchId}">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(html)![1]!
  return { _csrf: csrfToken(html), pitch_id: String(pitchId), version, ...fields }
}

const advice = (db: World['t']['db'], pitchId: number) => db.selectFrom('advice').selectAll().where('pitch_id', '=', pitchId).orderBy('id').execute()
const referrals = (db: World['t']['db'], pitchId: number) => db.selectFrom('referral').selectAll().where('pitch_id', '=', pitchId).orderBy('id').execute()
const record = findPitchRecord

describe("the record of a session's pitches", () => {
  it('records a whole session (attendance with a walk-in, advice, referrals, next steps, stage) and a second save changes nothing', async () => {
    w = await world()
    const julie = await recordAttendance()
    const [first] = w.pitches as [number, number]
    // Léa (excused) wrote advice through her link before: it shows as written advice.
    await insertAdvice(w.t.db, { pitchId: first, contactId: w.contacts.lea, partnerId: w.partners.dept, body: 'Pensez au fonds de participation des habitants.' }, '2026-12-18T08:00:00.000Z')
    const page = (await w.admin.get(RECORD)).body
    expect(page.indexOf('Jardin partagé 1')).toBeLessThan(page.indexOf('Jardin partagé 2')) // agenda order
    expect(page).toContain('avis écrit')
    expect(page).toContain('Julie Carpentier (Fédération des centres sociaux)') // a present walk-in may give advice
    const form = await recordForm(w.admin, first, {
      summary: 'Un jardin sur la friche de la cité 9.', next_steps: 'Rencontrer le bailleur.', stage_after: 'projet',
      advice_who_0: `contact:${w.contacts.helene}`, advice_body_0: 'Demandez une aide au démarrage.',
      advice_who_1: `walkin:${julie}`, advice_body_1: 'Le centre social prête des outils.',
      advice_who_2: 'name', advice_name_2: 'Un habitant', advice_body_2: 'Prévoir un composteur.',
      ref_partner_0: String(w.partners.caf), ref_contact_0: String(w.contacts.marc), ref_subject_0: 'Aide au démarrage', ref_follow_0: '2027-01-15',
      ref_partner_1: String(w.partners.centres), ref_subject_1: 'Prêt de matériel',
    })
    const saved = await w.admin.post(RECORD, form)
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toBe(`${RECORD}?saved=${first}#pitch-${first}`)
    const rows = await advice(w.t.db, first)
    expect(rows.map((a) => [a.source, a.contact_id, a.partner_id, a.author_name])).toEqual([
      ['written', w.contacts.lea, w.partners.dept, null],
      ['table', w.contacts.helene, w.partners.caf, null],
      ['table', null, w.partners.centres, 'Julie Carpentier'],
      ['table', null, null, 'Un habitant'],
    ])
    const refs = await referrals(w.t.db, first)
    expect(refs.map((r) => [r.partner_id, r.contact_id, r.subject, r.follow_up_on, r.status])).toEqual([
      [w.partners.caf, w.contacts.marc, 'Aide au démarrage', '2027-01-15', 'proposed'],
      [w.partners.centres, null, 'Prêt de matériel', null, 'proposed'],
    ])
    expect(await record(w.t.db, first)).toMatchObject({ summary: 'Un jardin sur la friche de la cité 9.', stage_after: 'projet', version: 1, revisit: 0 })
    const after = (await w.admin.get(RECORD)).body
    expect(after).toContain('Aide au démarrage')
    expect(after).toContain('Hélène Dupré (CAF du Pas-de-Calais)')

    // The same form again (a double tap, a resent form): nothing changes, nothing is added.
    const outboxBefore = await w.t.db.selectFrom('outbox').select('id').execute()
    expect((await w.admin.post(RECORD, form)).statusCode).toBe(303)
    expect(await advice(w.t.db, first)).toEqual(rows)
    expect(await referrals(w.t.db, first)).toEqual(refs)
    expect((await record(w.t.db, first))?.version).toBe(1)
    expect(await w.t.db.selectFrom('outbox').select('id').execute()).toEqual(outboxBefore)
  })

  it("refuses a save on a stale version, keeping the second facilitator's input in the form", async () => {
    w = await world()
    const [first] = w.pitches as [number, number]
    const other = await facilitatorClient(w.t.app, w.t.db, [w.platform.id], 'dominique@test.example.org')
    const mine = await recordForm(w.admin, first, { summary: 'Ma version du résumé.' })
    const theirs = await recordForm(other, first, { summary: 'Sa version du résumé.' })
    expect((await other.post(RECORD, theirs)).statusCode).toBe(303)
    const res = await w.admin.post(RECORD, mine)
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('data-stale="1"')
    expect(res.body).toContain('Ma version du résumé.')
    expect(res.body).toContain('Sa version du résumé.')
    expect((await record(w.t.db, first))).toMatchObject({ summary: 'Sa version du résumé.', version: 1 })
  })

  it('answers bad input in French (400) with the form filled, saving nothing', async () => {
    w = await world()
    const [first] = w.pitches as [number, number]
    const elsewhere = await createPlatform(w.t.db, { slug: 'ailleurs', name: 'Ailleurs' })
    const foreign = await w.t.db.insertInto('partner').values({ platform_id: elsewhere.id, name: 'Autre', name_key: 'autre', kind: 'other', themes: '', website: null, notes: null, created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow()
    const noWho = await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'Résumé à garder.', advice_body_0: 'Un conseil sans auteur.', ref_subject_0: 'Sans organisation' }))
    expect(noWho.statusCode).toBe(400)
    expect(noWho.body).toContain('Choisissez qui a donné ce conseil.')
    expect(noWho.body).toContain("Choisissez l&#39;organisation vers laquelle orienter.")
    expect(noWho.body).toContain('Résumé à garder.')
    const wrongPartner = await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'Résumé à garder.', ref_partner_0: String(foreign.id), ref_subject_0: 'Ailleurs', revisit: 'yes' }))
    expect(wrongPartner.statusCode).toBe(400)
    expect(wrongPartner.body).toContain('Choisissez la séance proposée au porteur.')
    const absent = await w.admin.post(RECORD, await recordForm(w.admin, first, { advice_who_0: `contact:${w.contacts.marc}`, advice_body_0: 'Marc était absent.' }))
    expect(absent.statusCode).toBe(400)
    expect(absent.body).toContain('Choisissez une personne présente')
    expect(await record(w.t.db, first)).toBeUndefined()
    expect(await advice(w.t.db, first)).toEqual([])
    expect(await referrals(w.t.db, first)).toEqual([])
  })

  it('sends the "à revoir" offer for a holder without an address to the platform’s mailbox, the note to pass it on first', async () => {
    w = await world()
    const [first] = w.pitches as [number, number]
    const pitch = await w.t.db.selectFrom('pitch').selectAll().where('id', '=', first).executeTakeFirstOrThrow()
    await w.t.db.updateTable('holder').set({ email: null, email_key: null, phone: null }).where('id', '=', pitch.holder_id).execute()
    expect((await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'À revoir en janvier.', revisit: 'yes', revisit_session: LATER }))).statusCode).toBe(303)
    const [offer] = await w.t.db.selectFrom('outbox').selectAll().where('kind', '=', 'pitch.revisit').execute()
    expect([offer!.to_email, offer!.ical_method]).toEqual(['animation@test.example.org', null])
    expect(offer!.text_body.split('\n')[0]).toMatch(/^Ce message est destiné à .+, qui n'a pas d'adresse e-mail : merci de le lui transmettre\.$/)
  })

  it('queues the "à revoir" offer once, and the holder books the offered session in one step from their link', async () => {
    w = await world()
    const [first] = w.pitches as [number, number]
    const form = await recordForm(w.admin, first, { summary: 'À revoir en janvier.', revisit: 'yes', revisit_session: LATER })
    expect((await w.admin.post(RECORD, form)).statusCode).toBe(303)
    expect((await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'À revoir en janvier, avec le bailleur.', revisit: 'yes', revisit_session: LATER }))).statusCode).toBe(303)
    const offers = await w.t.db.selectFrom('outbox').selectAll().where('kind', '=', 'pitch.revisit').execute()
    expect(offers).toHaveLength(1)
    expect(offers[0]).toMatchObject({ to_email: 'porteur1@example.org', session_id: w.laterId })
    const pitch = await w.t.db.selectFrom('pitch').selectAll().where('id', '=', first).executeTakeFirstOrThrow()
    const link = `/pitch/${pitchToken(w.t.app.ctx, pitch)}`
    expect(withLinks(offers[0]!, w.t.config).text_body).toContain(`http://fabrik.test${link}`)

    const holder = new Client(w.t.app)
    const opened = await holder.get(link)
    expect(opened.body).toContain('data-revisit="offered"')
    const booked = await holder.submit(link, { action: 'revisit' })
    expect(booked.statusCode).toBe(303)
    const later = await w.t.db.selectFrom('pitch').selectAll().where('session_id', '=', w.laterId).where('holder_id', '=', pitch.holder_id).executeTakeFirstOrThrow()
    expect(later).toMatchObject({ initiative_id: pitch.initiative_id, status: 'confirmed' })
    expect(booked.headers.location).toBe(`/pitch/${pitchToken(w.t.app.ctx, later)}`)
    expect((await holder.get(link)).body).toContain('data-revisit="booked"')
    // Booking again from the old link books nothing more.
    expect((await holder.submit(link, { action: 'revisit' })).statusCode).toBe(303)
    expect(await w.t.db.selectFrom('pitch').select('id').where('session_id', '=', w.laterId).where('holder_id', '=', pitch.holder_id).execute()).toHaveLength(1)
  })

  it('answers 404 to a facilitator of another platform and sends an anonymous visitor to the login', async () => {
    w = await world()
    const elsewhere = await createPlatform(w.t.db, { slug: 'ailleurs', name: 'Ailleurs' })
    const stranger = await facilitatorClient(w.t.app, w.t.db, [elsewhere.id], 'autre@test.example.org')
    expect((await stranger.get(RECORD)).statusCode).toBe(404)
    const token = csrfToken((await stranger.get('/admin/p/ailleurs/sessions/new')).body)
    expect((await stranger.post(RECORD, { _csrf: token, pitch_id: String(w.pitches[0]), version: '0', summary: 'Intrus' })).statusCode).toBe(404)
    const res = await new Client(w.t.app).get(RECORD)
    expect(res.statusCode).toBe(303)
    expect(String(res.headers.location)).toContain('/login')
    expect(await record(w.t.db, w.pitches[0]!)).toBeUndefined()
  })
})
