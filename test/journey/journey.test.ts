import { afterEach, describe, expect, it } from 'vitest'
import { formatShortDate } from '../../src/calendar/zoned.js'
import { bookPitch, pitchToken } from '../../src/pitches/booking.js'
import { attachHolder, insertIdea } from '../../src/pitches/initiatives.js'
import { setReferralStatus } from '../../src/referrals/store.js'
import { Client, type Client as C, csrfToken, facilitatorClient } from '../helpers/app.js'
import { DATE, LATER, RECORD, world, type World } from '../record/helpers.js'

// An initiative's journey (#20): pitched at two sessions (the second time with a co-holder), advice, a stage
// change at each, and a referral that went from proposée to aboutie; the facilitators' page tells all of it in
// order, the holder's link a shorter version with nothing internal and no other holder.

let w: World
const d = formatShortDate
afterEach(async () => { await w?.t.close() })

const LATER_RECORD = `/admin/p/test/sessions/${LATER}/record`

async function recordForm(client: C, url: string, pitchId: number, fields: Record<string, string>) {
  const html = (await client.get(url)).body
  const version = new RegExp(`name="pitch_id" value="${pitchId}">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(html)![1]!
  return { _csrf: csrfToken(html), pitch_id: String(pitchId), version, ...fields }
}

/** The timeline as the page shows it: [kind, day, title]. */
function entries(html: string): Array<[string, string, string]> {
  return [...html.matchAll(/<li data-entry="([\w-]+)"[^>]*>\s*<p><span class="when">([^<]+)<\/span> — <strong>([^<]+)<\/strong>/g)].map((m) => [m[1]!, m[2]!, m[3]!.replace(/&#39;/g, "'")])
}

async function livedJourney() {
  w = await world()
  const ctx = w.t.app.ctx
  const [first] = w.pitches as [number, number]
  const initiativeId = (await w.t.db.selectFrom('pitch').select('initiative_id').where('id', '=', first).executeTakeFirstOrThrow()).initiative_id
  // The first session: advice, a stage change, a referral to the CAF (Marc).
  const saved = await w.admin.post(RECORD, await recordForm(w.admin, RECORD, first, {
    summary: 'Résumé interne : le bailleur hésite.', next_steps: 'Rencontrer le bailleur.', stage_after: 'projet',
    advice_who_0: `partner:${w.partners.caf}`, advice_body_0: 'Demandez une aide au démarrage.',
    ref_partner_0: String(w.partners.caf), ref_contact_0: String(w.contacts.marc), ref_subject_0: 'Aide au démarrage', ref_follow_0: '2027-01-15',
  }))
  expect(saved.statusCode).toBe(303)
  const referral = (await w.t.db.selectFrom('referral').select('id').where('pitch_id', '=', first).executeTakeFirstOrThrow()).id
  const by = { kind: 'partner' as const, contactId: w.contacts.marc, name: 'Marc Petit' }
  for (const [status, note, when] of [['contacted', 'Appel passé, dossier envoyé.', '2026-12-21T09:00:00.000Z'], ['succeeded', 'Aide accordée : 3 000 €.', '2027-01-10T09:00:00.000Z']] as const) {
    w.t.clock.set(when)
    const r = await w.t.db.transaction().execute((trx) => setReferralStatus(ctx, trx, { referralId: referral, status, note, by }, when))
    expect(r.kind).toBe('saved')
  }
  // The second session: the holder comes back, with Awa who now carries the initiative too.
  w.t.clock.set('2027-01-05T09:00:00.000Z')
  const initiative = await w.t.db.selectFrom('initiative').selectAll().where('id', '=', initiativeId).executeTakeFirstOrThrow()
  await w.t.db.transaction().execute((trx) => attachHolder(trx, w.platform.id, initiative, { name: 'Awa Diallo', email: 'awa.diallo@example.org', phone: null, kind: 'resident' }, '2027-01-05T09:00:00.000Z'))
  const again = { title: 'Jardin partagé 1', summary: 'Un jardin au pied des immeubles.', domain: null, needs: [], stage: 'projet', commune_id: null }
  const back = await bookPitch(ctx, w.platform, w.laterId, { holder: { name: 'Porteur 1', email: 'porteur1@example.org', phone: null, kind: 'resident', commune_id: null }, initiative: again, attendance: 'on_site', publicTitle: false }, () => true)
  expect(back.status).toBe('confirmed')
  const awa = await bookPitch(ctx, w.platform, w.laterId, { holder: { name: 'Awa Diallo', email: 'awa.diallo@example.org', phone: null, kind: 'resident', commune_id: null }, initiative: again, attendance: 'on_site', publicTitle: false }, () => true)
  w.t.clock.set('2027-01-29T10:00:00.000Z')
  // A month later: a fresh login (the first one has expired).
  w.admin = await facilitatorClient(w.t.app, w.t.db, [w.platform.id], 'dominique@test.example.org')
  expect((await w.admin.post(LATER_RECORD, await recordForm(w.admin, LATER_RECORD, back.pitchId, {
    stage_after: 'en_cours', advice_who_0: `partner:${w.partners.dept}`, advice_body_0: 'Déposez un dossier au fonds de participation.',
  }))).statusCode).toBe(303)
  expect((await w.admin.post(LATER_RECORD, await recordForm(w.admin, LATER_RECORD, awa.pitchId, {
    next_steps: 'Awa contacte la mairie.', advice_who_0: 'name', advice_name_0: 'Un voisin', advice_body_0: 'Conseil pour Awa seulement.',
  }))).statusCode).toBe(303)
  w.t.clock.set('2027-02-01T10:00:00.000Z')
  w.admin = await facilitatorClient(w.t.app, w.t.db, [w.platform.id], 'sacha@test.example.org')
  return { initiativeId, back, awa }
}

describe("an initiative's journey", () => {
  it('tells the facilitators every pitch, advice, stage change, referral status change and the holders, in order', async () => {
    const { initiativeId } = await livedJourney()
    const initiativePage = (await w.admin.get(`/admin/p/test/initiatives/${initiativeId}`)).body
    expect(initiativePage).toContain(`href="/admin/p/test/initiatives/${initiativeId}/parcours"`)
    const res = await w.admin.get(`/admin/p/test/initiatives/${initiativeId}/parcours`)
    expect(res.statusCode).toBe(200)
    const referral = 'Orientation vers CAF du Pas-de-Calais (Marc Petit) (« Aide au démarrage ») : '
    expect(entries(res.body)).toEqual([
      ['registered', d('2026-11-23'), 'Initiative enregistrée sur la plateforme'],
      ['pitch', d('2026-12-18'), 'Présentée en séance par Porteur 1'],
      ['advice', d('2026-12-18'), 'Conseil de CAF du Pas-de-Calais'],
      ['stage', d('2026-12-18'), 'Stade : Une idée → Un projet construit'],
      ['referral', d('2026-12-18'), `${referral}proposée`],
      ['referral', d('2026-12-21'), `${referral}contact pris`],
      ['referral', d('2027-01-10'), `${referral}aboutie`],
      ['pitch', d('2027-01-29'), 'Présentée en séance par Porteur 1'],
      ['pitch', d('2027-01-29'), 'Présentée en séance par Awa Diallo'],
      ['advice', d('2027-01-29'), 'Conseil de Département — Action sociale'],
      ['advice', d('2027-01-29'), 'Conseil de Un voisin'],
      ['stage', d('2027-01-29'), 'Stade : Un projet construit → Une action déjà en cours'],
    ])
    expect(res.body).toContain('Awa Diallo (Habitant·e) · Porteur 1 (Habitant·e)')
    expect(res.body).toContain('Note : Aide accordée : 3 000 €.')
    expect(res.body).toContain('(Marc Petit)')
    expect(res.body).toContain('Résumé : Résumé interne : le bailleur hésite.')
    expect(res.body).toContain('2 séance(s) où elle a été présentée')
    // Another platform's facilitator does not find it; a bad id is 404.
    expect((await w.admin.get('/admin/p/test/initiatives/999999/parcours')).statusCode).toBe(404)
  })

  it("shows the holder a shorter version on their link: no other holder, no partner's person, no note or summary", async () => {
    const { back } = await livedJourney()
    const pitch = await w.t.db.selectFrom('pitch').selectAll().where('id', '=', back.pitchId).executeTakeFirstOrThrow()
    const holder = new Client(w.t.app)
    const html = (await holder.get(`/pitch/${pitchToken(w.t.app.ctx, pitch)}`)).body
    const part = html.slice(html.indexOf('id="parcours-section"'), html.indexOf('</section>', html.indexOf('id="parcours-section"')))
    const referral = 'Orientation vers CAF du Pas-de-Calais (« Aide au démarrage ») : '
    expect(entries(part)).toEqual([
      ['registered', d('2026-11-23'), 'Initiative enregistrée sur la plateforme'],
      ['pitch', d('2026-12-18'), 'Présentée en séance'],
      ['advice', d('2026-12-18'), 'Conseil de CAF du Pas-de-Calais'],
      ['stage', d('2026-12-18'), 'Stade : Une idée → Un projet construit'],
      ['referral', d('2026-12-18'), `${referral}proposée`],
      ['referral', d('2026-12-21'), `${referral}contact pris`],
      ['referral', d('2027-01-10'), `${referral}aboutie`],
      ['pitch', d('2027-01-29'), 'Présentée en séance'],
      ['advice', d('2027-01-29'), 'Conseil de Département — Action sociale'],
      ['stage', d('2027-01-29'), 'Stade : Un projet construit → Une action déjà en cours'],
    ])
    expect(part).toContain('Suites à donner : Rencontrer le bailleur.')
    for (const secret of ['Awa', 'Un voisin', 'Conseil pour Awa seulement', 'Marc Petit', 'Appel passé', 'Aide accordée', 'Résumé interne', 'Porteur 2', 'Jardin partagé 2', 'Porteur 1']) {
      expect(part).not.toContain(secret)
    }
  })

  it('shows an idea without a holder its history too', async () => {
    w = await world()
    const id = await insertIdea(w.t.db, w.platform.id, { title: 'Une ressourcerie', summary: 'Réemploi.', domain: null, needs: [], stage: 'idee', commune_id: null }, '2026-12-01T10:00:00.000Z')
    const html = (await w.admin.get(`/admin/p/test/initiatives/${id}/parcours`)).body
    expect(html).toContain('Idée sans porteur')
    expect(entries(html)).toEqual([['registered', d('2026-12-01'), 'Initiative enregistrée sur la plateforme']])
    expect(DATE < LATER).toBe(true)
  })
})
