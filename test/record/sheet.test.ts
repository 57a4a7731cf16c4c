import { afterEach, describe, expect, it } from 'vitest'
import { type RollPlace, rollOrder, sheetRows } from '../../src/record/attendance.js'
import { csrfToken } from '../helpers/app.js'
import { ATTENDANCE, DATE, rollFields, world, type World } from './helpers.js'

// The sign-in sheet (feuille d'émargement) and the attendance screen read in one order (attendance.ts rollOrder).

let w: World
afterEach(async () => { await w?.t.close() })

const person = (key: string, name: string, organisation: string | null, place: RollPlace) => ({ key, name, organisation, place })

describe('rollOrder (pure)', () => {
  const people = [
    person('w9', 'Zoé Passante', null, { kind: 'walkin', sheet: false, rank: 9 }),
    person('c1', 'Marc Petit', 'CAF', { kind: 'partner', sheet: false, rank: 0 }),
    person('c2', 'Sophie Lemaire', 'Fédération des centres sociaux', { kind: 'partner', sheet: true, rank: 0 }),
    person('w3', 'Bernard Lemoine', 'Mairie', { kind: 'walkin', sheet: false, rank: 3 }),
    person('c3', 'Hélène Dupré', 'CAF', { kind: 'partner', sheet: true, rank: 0 }),
    person('h2', 'Awa Diallo', null, { kind: 'holder', sheet: true, rank: 1 }),
    person('c4', 'Élodie Martin', 'CAF', { kind: 'partner', sheet: true, rank: 0 }),
    person('h1', 'Yves Zimmer', null, { kind: 'holder', sheet: true, rank: 0 }),
  ]
  it('puts the sheet first (holders in agenda order, then partners by organisation and name), then the remote, then walk-ins as added', () => {
    expect(rollOrder(people).map((p) => p.key)).toEqual(['h1', 'h2', 'c4', 'c3', 'c2', 'c1', 'w3', 'w9'])
  })
  it('the sheet is the same order, without those expected elsewhere nor walk-ins', () => {
    expect(sheetRows(people).map((p) => p.key)).toEqual(['h1', 'h2', 'c4', 'c3', 'c2'])
  })
})

describe('the sign-in sheet', () => {
  it('lists partners who come on site and confirmed holders with their organisation, in the attendance screen\'s order', async () => {
    w = await world()
    const sheet = await w.admin.get(`/admin/p/test/sessions/${DATE}/emargement`)
    expect(sheet.statusCode).toBe(200)
    const html = sheet.body
    expect(html).toContain('href="/assets/print.css"')
    expect(html).not.toContain('<script')
    expect(html).toContain('Plateforme test')
    expect(html).toContain('vendredi 18 décembre 2026')
    expect(html).toContain('9 h – 12 h')
    expect(html).toMatch(/<thead>\s*<tr class="sheet-head">/)
    const names = [...html.matchAll(/<tr data-signer data-kind="(\w+)"><td class="number">\d+<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2], m[3]])
    expect(names).toEqual([
      ['holder', 'Porteur 1', 'Porteur de projet — « Jardin partagé 1 »'],
      ['holder', 'Porteur 2', 'Porteur de projet — « Jardin partagé 2 »'],
      ['partner', 'Hélène Dupré', 'CAF du Pas-de-Calais'],
      ['partner', 'Sophie Lemaire', 'Fédération des centres sociaux'],
    ])
    expect(html).not.toContain('Marc Petit') // answered "à distance"
    expect(html).not.toContain('Léa Martin') // declined
    expect(html.match(/data-blank/g)).toHaveLength(10)
    // The combined print (agenda + sheet) has the same rows.
    expect((await w.admin.get(`/admin/p/test/sessions/${DATE}/print`)).body.match(/data-signer/g)).toHaveLength(4)

    // After the session, the attendance screen reads in the same order, then the remote, then walk-ins.
    const roll = (await w.admin.get(ATTENDANCE)).body
    await w.admin.post(ATTENDANCE, { ...rollFields(roll), _csrf: csrfToken(roll), walkin_name: 'Julie Carpentier', walkin_presence: 'on_site' })
    const after = (await w.admin.get(ATTENDANCE)).body
    const legends = [...after.matchAll(/<legend>([^<]+?)(?: <span|<\/legend>)/g)].map((m) => m[1]!.trim()).filter((n) => !n.startsWith('Une personne'))
    expect(legends).toEqual(['Porteur 1', 'Porteur 2', 'Hélène Dupré', 'Sophie Lemaire', 'Marc Petit', 'Julie Carpentier'])
  })

  it('in videoconference, lists everyone expected and says "visioconférence" for the place', async () => {
    w = await world()
    await w.t.db.updateTable('session').set({ mode: 'videoconference', video_url: 'https://visio.example.org/dec' }).where('id', '=', w.sessionId).execute()
    const html = (await w.admin.get(`/admin/p/test/sessions/${DATE}/emargement`)).body
    expect(html).toContain('— visioconférence</th>')
    expect(html).toContain('Marc Petit')
    expect(html.match(/data-signer/g)).toHaveLength(5)
  })

  it('answers 404 on a day without a session', async () => {
    w = await world()
    expect((await w.admin.get('/admin/p/test/sessions/2026-12-19/emargement')).statusCode).toBe(404)
  })
})
