import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { createVenue } from '../../src/platforms/store.js'
import { buildTestApp, Client, createFacilitator, createPlatform, type TestApp } from '../helpers/app.js'
import { aCommune, aSession } from '../helpers/factories.js'

// The year planner's proposal: a preview of the dates (Christmas moved a week earlier on a French platform),
// the commune the rotation proposes for each, editable per row; nothing written before the confirming POST,
// which saves the communes with the sessions; a second plan of the same year duplicates nothing and says so.

const T0 = '2026-01-01T00:00:00.000Z'
// October to December 2026: 30 October, 27 November, and 18 December (25 December is Christmas).
const FORM = { year: '2026', skip: ['1', '2', '3', '4', '5', '6', '7', '8', '9'], start_time: '09:00', end_time: '12:00' }
const QUERY = '/admin/p/test/plan?year=2026&' + FORM.skip.map((m) => `skip=${m}`).join('&') + '&start_time=09:00&end_time=12:00'

describe('the year planner', () => {
  let t: TestApp
  let c: Client
  let platform: Platform
  const ids: Record<string, number> = {}
  beforeEach(async () => {
    t = await buildTestApp()
    platform = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [platform.id])
    for (const name of ['Avion', 'Harnes', 'Liévin']) ids[name] = (await aCommune(t.db, platform, name, null)).id
    // Avion hosted last: the two that never hosted come first.
    await aSession(t.db, platform, { date: '2025-11-28', commune_id: ids.Avion! })
    c = new Client(t.app)
    await c.login('camille@test.example.org')
  })
  afterEach(() => t.close())

  const sessions = () => t.db.selectFrom('session').select(['date', 'commune_id', 'venue_id', 'status', 'moved_because'])
    .where('date', '>=', '2026-01-01').orderBy('date').execute()
  const selected = (html: string, date: string) => {
    const select = new RegExp(`<select id="commune_${date}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? ''
    return /<option value="(\d*)" selected>/.exec(select)?.[1] ?? (select ? '' : null)
  }

  it('previews the dates, the holiday that moved one and the rotation’s communes, writing nothing (GET and preview POST)', async () => {
    const page = await c.get(QUERY)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Proposition pour 2026')
    expect(page.body).toMatch(/Au lieu du Vendredi 25 décembre 2026 — Jour férié : (Noël|Jour de Noël)/)
    expect(page.body).toContain('3 séance(s) à créer, dont 1 avancée(s) pour un jour férié.')
    expect([selected(page.body, '2026-10-30'), selected(page.body, '2026-11-27'), selected(page.body, '2026-12-18')])
      .toEqual([String(ids.Harnes), String(ids['Liévin']), String(ids.Avion)])
    // The page alone proposes next year; "?year=" alone, that year, both with the usual months and times.
    expect((await c.get('/admin/p/test/plan')).body).toContain('Proposition pour 2027')
    const alone = await c.get('/admin/p/test/plan?year=2028')
    expect(alone.statusCode).toBe(200)
    expect(alone.body).toContain('Proposition pour 2028')
    const preview = await c.submit(QUERY, { ...FORM, preview: '1' }, '/admin/p/test/plan')
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('Proposition pour 2026')
    expect(await sessions()).toEqual([])
  })

  it('creates the drafts with the communes chosen per row, in one go, and a second plan duplicates nothing and says so', async () => {
    const res = await c.submit(QUERY, { ...FORM, 'commune_2026-10-30': String(ids.Avion), 'commune_2026-11-27': '' }, '/admin/p/test/plan')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/admin/p/test?year=2026')
    expect(await sessions()).toEqual([
      { date: '2026-10-30', commune_id: ids.Avion, venue_id: null, status: 'draft', moved_because: null },
      { date: '2026-11-27', commune_id: null, venue_id: null, status: 'draft', moved_because: null },
      // Not shown in the form: the proposal's commune (Harnes and Liévin never hosted; Liévin's turn).
      { date: '2026-12-18', commune_id: expect.any(Number), venue_id: null, status: 'draft', moved_because: expect.stringMatching(/Noël/) },
    ])
    const home = await c.get('/admin/p/test?year=2026')
    expect(home.body).toContain('Avion')

    const again = await c.get(QUERY)
    expect(again.body).toContain('data-already-planned="3"')
    expect(again.body).toContain("aucune séance n'est dupliquée")
    expect(again.body).toContain("il n'y a rien à créer")
    expect(again.body.match(/Déjà planifiée/g)).toHaveLength(3)
    const second = await c.submit(QUERY, FORM, '/admin/p/test/plan')
    expect(second.headers.location).toBe('/admin/p/test?year=2026&planned=0')
    expect((await c.get(second.headers.location as string)).body).toContain('Aucune séance créée : toutes les dates de la règle avaient déjà une séance.')
    expect(await sessions()).toHaveLength(3)
  })

  it('refuses a commune that is not the platform’s, in French, the preview kept, nothing created', async () => {
    const res = await c.submit(QUERY, { ...FORM, 'commune_2026-10-30': '999999' }, '/admin/p/test/plan')
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Choisissez une commune de la liste.')
    expect(res.body).toContain('Proposition pour 2026')
    expect(await sessions()).toEqual([])
    const bad = await c.submit(QUERY, { ...FORM, year: 'deux mille' }, '/admin/p/test/plan')
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('value="deux mille"')
  })

  it('shows a fixed-venue platform’s venue on every row and creates the sessions there', async () => {
    const venueId = await createVenue(t.db, platform.id, { name: 'Maison de la Culture', address: '1 place Léopold', commune_id: ids.Harnes!, capacity: 40, accessibility: null, host_name: null, host_email: null, host_phone: null }, T0)
    await t.db.updateTable('platform').set({ itinerant: 0, home_venue_id: venueId }).where('id', '=', platform.id).execute()
    const page = await c.get(QUERY)
    expect(page.body).toContain('lieu habituel de la plateforme : <strong>Maison de la Culture, Harnes</strong>')
    expect(page.body).not.toContain('<select id="commune_')
    await c.submit(QUERY, FORM, '/admin/p/test/plan')
    expect((await sessions()).map((s) => [s.commune_id, s.venue_id])).toEqual([[ids.Harnes, venueId], [ids.Harnes, venueId], [ids.Harnes, venueId]])
  })

  it('never lists the session’s own commune as "jamais accueilli"', async () => {
    await aSession(t.db, platform, { date: '2027-02-26', commune_id: ids.Harnes! })
    const page = await c.get('/admin/p/test/sessions/2027-02-26')
    expect(page.body).toContain('>Harnes — accueille cette séance')
    expect(page.body).not.toContain('>Harnes — jamais accueilli')
    expect(page.body).toContain('>Liévin — jamais accueilli')
  })
})
