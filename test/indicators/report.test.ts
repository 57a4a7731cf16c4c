import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPeriod, LOAD_QUERIES } from '../../src/indicators/queries.js'
import { yearPeriod } from '../../src/indicators/period.js'
import { buildTestApp, type Client, facilitatorClient, type TestApp } from '../helpers/app.js'
import { EXPECTED_2026, EXPECTED_2027, knownDataset, type Known, NOW, Counter } from './fixtures.js'


describe('report.json, report.csv and the Bilan page on a known dataset', () => {
  let t: TestApp
  let known: Known
  let own: Client
  let other: Client
  const counter = new Counter()
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, wrapDb: (db) => db.withPlugin(counter) })
    known = await knownDataset(t.db)
    own = await facilitatorClient(t.app, t.db, [known.platform.id])
    other = await facilitatorClient(t.app, t.db, [known.other.id], 'bruno@autre.example.org')
  }, 60_000)
  afterAll(() => t.close())

  it('gives the hand-counted figures of each year, with no targets set', async () => {
    for (const [year, expected] of [[2026, EXPECTED_2026], [2027, EXPECTED_2027]] as const) {
      const res = await own.get(`/admin/p/bilan/report.json?year=${year}`)
      expect(res.statusCode).toBe(200)
      expect(res.headers['content-type']).toMatch(/^application\/json/)
      const body = res.json()
      expect(body, String(year)).toMatchObject({ ...expected, targets: {} })
      for (const k of Object.keys(expected)) expect(Number.isInteger(body[k]), k).toBe(true)
    }
    const body = (await own.get('/admin/p/bilan/report.json?year=2026')).json()
    expect(body).toMatchObject({
      hours: 11, sessionsByMode: { in_person: 2, hybrid: 1, videoconference: 1 }, firstTimeHolders: 2, returningHolders: 1,
      communes: [{ name: 'Lens', sessions: 2 }, { name: 'Liévin', sessions: 1 }], communesNever: ['Avion', 'Harnes'],
      adviceBySource: { table: 2, written: 1 }, referralsByStatus: { succeeded: 1, in_progress: 1, contacted: 1, proposed: 0, dropped: 0 },
      // R1 aboutie 10 days after it was made; R3 was aboutie once, then reopened: not counted.
      medianDaysToSucceeded: 10,
      referralsByPartner: [{ name: 'Mission locale', referrals: 2, succeeded: 1 }, { name: 'France Active', referrals: 1, succeeded: 0 }],
      initiativesByDomain: { social: 3, environnement: 1 }, initiativesByStage: { idee: 4 },
    })
    expect(body.partners).toEqual([
      { name: 'Mission locale', invited: 3, present: 3, onSite: 2, remote: 1, known: true },
      { name: 'Réseau Entreprendre', invited: 0, present: 2, onSite: 2, remote: 0, known: false },
      { name: 'France Active', invited: 2, present: 1, onSite: 0, remote: 1, known: true },
      { name: 'Conseil départemental', invited: 1, present: 0, onSite: 0, remote: 0, known: true },
    ])
    // The other platform's holder and session count there only.
    expect((await other.get('/admin/p/bilan-autre/report.json?year=2026')).json()).toMatchObject({ sessionsHeld: 1, pitches: 1, distinctHolders: 1 })
  })

  it('defaults to the current year in the platform\'s zone and refuses a year that is not one', async () => {
    expect((await own.get('/admin/p/bilan/report.json')).json()).toMatchObject({ year: 2027, ...EXPECTED_2027 })
    for (const bad of ['20x6', '1999', '26', '2026&year=2027']) {
      expect((await own.get(`/admin/p/bilan/report.json?year=${bad}`)).statusCode, bad).toBe(400)
    }
    const page = await own.get('/admin/p/bilan/indicators?year=abcd')
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain('Période invalide')
    expect(page.body).toContain('Indiquez une année sur quatre chiffres, entre 2000 et 2100.')
  })

  it('saves the targets all at once and shows them beside the results, in words', async () => {
    const saved = await own.submit('/admin/p/bilan/indicators?year=2026', { year: '2026', target_sessionsHeld: '10', target_pitches: '4', target_referralsSucceeded: ' 2 ' }, '/admin/p/bilan/indicators/targets')
    expect(saved.statusCode).toBe(303)
    expect(saved.headers.location).toBe('/admin/p/bilan/indicators?year=2026&ok=targets#objectifs')
    expect((await own.get('/admin/p/bilan/report.json?year=2026')).json().targets).toEqual({ sessionsHeld: 10, pitches: 4, referralsSucceeded: 2 })
    expect((await own.get('/admin/p/bilan/report.json?year=2027')).json().targets).toEqual({})
    const page = await own.get('/admin/p/bilan/indicators?year=2026&ok=targets')
    expect(page.body).toContain('Objectifs enregistrés.')
    expect(page.body).toMatch(/data-indicator="sessionsHeld">[\s\S]*?40 % de l&#39;objectif : il manque 6\./)
    expect(page.body).toMatch(/data-indicator="pitches">[\s\S]*?Objectif atteint\./)
    expect(page.body).toMatch(/data-indicator="referralsSucceeded">[\s\S]*?il manque 1\./)
    expect(page.body).toContain('value="10"')
    expect(page.body).toContain('href="/admin/p/bilan/indicators">Bilan</a>')

    // Invalid: nothing saved, the form re-rendered filled in, French messages.
    const refused = await own.submit('/admin/p/bilan/indicators?year=2026', { year: '2026', target_sessionsHeld: '12', target_pitches: 'douze', target_advice: '-1' }, '/admin/p/bilan/indicators/targets')
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Indiquez un nombre entier positif, ou laissez vide.')
    expect(refused.body).not.toContain('Invalid input')
    expect(refused.body).toContain('value="douze"')
    expect(refused.body).toContain('value="12"')
    expect(refused.body).toContain('<title>Erreur')
    expect((await own.get('/admin/p/bilan/report.json?year=2026')).json().targets).toEqual({ sessionsHeld: 10, pitches: 4, referralsSucceeded: 2 })

    // Emptied: no target any more for those left blank.
    await own.submit('/admin/p/bilan/indicators?year=2026', { year: '2026', target_pitches: '5' }, '/admin/p/bilan/indicators/targets')
    expect((await own.get('/admin/p/bilan/report.json?year=2026')).json().targets).toEqual({ pitches: 5 })
  })

  it('answers report.csv for Excel: BOM, ;, CRLF, one row per indicator', async () => {
    const res = await own.get('/admin/p/bilan/report.csv?year=2026')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8')
    expect(res.headers['content-disposition']).toBe('attachment; filename="bilan-bilan-2026.csv"')
    const bytes = res.rawPayload
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.endsWith('\r\n')).toBe(true)
    const lines = text.split('\r\n').slice(0, -1)
    expect(lines[0]).toBe('indicateur;libellé;année;réalisé;objectif;écart;progression')
    expect(lines).toContain('sessionsHeld;Séances tenues;2026;4;;;')
    expect(lines).toContain("pitches;Initiatives présentées;2026;4;5;-1;80 % de l'objectif : il manque 1.")
    expect(lines).toContain('hours;Heures de table ronde;2026;11;;;')
    expect(lines.every((l) => !l.includes('\n'))).toBe(true)
  })

  it('prints the year on A4 for the funder: the platform, the period, the day it was produced, the tables', async () => {
    const res = await own.get('/admin/p/bilan/indicators/print?year=2026')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('href="/assets/print.css"')
    expect(res.body).toContain('<p class="platform">Plateforme du bilan</p>')
    expect(res.body).toContain("Bilan de l'année 2026")
    expect(res.body).toContain('du 1er janvier au 31 décembre 2026')
    expect(res.body).toContain('<dd data-produced>dimanche 10 janvier 2027</dd>')
    expect(res.body).toContain('<tr data-indicator="pitches"><th scope="row">Initiatives présentées</th><td data-achieved>4</td>')
    expect(res.body).toContain('Une orientation aboutit en 10 jours (médiane')
    expect(res.body).toContain('<th scope="row">Environnement</th><td>1</td>')
    expect(res.body).not.toContain('<form')
    expect((await other.get('/admin/p/bilan/indicators/print?year=2026')).statusCode).toBe(404)
  })

  it('exports every table of the page as CSV, formulas neutralised', async () => {
    const res = await own.get('/admin/p/bilan/report.csv?year=2027&table=partners')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-disposition']).toBe('attachment; filename="bilan-bilan-2027-partners.csv"')
    expect(res.rawPayload.subarray(3).toString('utf8')).toBe(
      'organisation;invitée;présente;sur place;à distance;venue sans invitation\r\n'
      + `"'=HYPERLINK(""http://evil.example"";""Cliquez"")";0;1;1;0;oui\r\n`)
    const communes = (await own.get('/admin/p/bilan/report.csv?year=2026&table=communes')).rawPayload.subarray(3).toString('utf8')
    expect(communes).toBe('commune;séances tenues\r\nLens;2\r\nLiévin;1\r\nAvion;0\r\nHarnes;0\r\n')
    const page = await own.get('/admin/p/bilan/indicators?year=2026')
    expect(page.body).toContain('href="/admin/p/bilan/report.csv?year=2026&amp;table=communes" download>Télécharger les séances par commune (CSV)</a>')
    expect((await own.get('/admin/p/bilan/report.csv?year=2026&table=__proto__')).statusCode).toBe(400)
    expect((await own.get('/admin/p/bilan/report.csv?year=2026&table=nope')).statusCode).toBe(400)
    expect((await own.get('/admin/p/bilan/indicators?year=2027')).body).toContain('=HYPERLINK(&quot;http://evil.example&quot;;&quot;Cliquez&quot;) (venue sans invitation)')
  })

  it('shows each platform only to its facilitators', async () => {
    for (const url of ['/admin/p/bilan/indicators', '/admin/p/bilan/report.json?year=2026', '/admin/p/bilan/report.csv?year=2026']) {
      expect((await other.get(url)).statusCode, url).toBe(404)
      expect((await t.app.inject({ method: 'GET', url })).statusCode, url).toBe(303)
    }
    const token = (await own.get('/admin/p/bilan/indicators')).body
    expect(token).toContain('name="_csrf"')
    // Without a CSRF token, the targets are refused.
    expect((await own.post('/admin/p/bilan/indicators/targets', { year: '2026', target_pitches: '1' })).statusCode).toBe(403)
  })

  it('loads a year with a fixed number of queries, whatever the data', async () => {
    const count = async (year: number) => {
      counter.n = 0
      await loadPeriod(t.db.withPlugin(counter), known.platform.id, yearPeriod(year), NOW)
      return counter.n
    }
    // t.db is the bare handle (the app's is the wrapped one): only loadPeriod's queries are counted here.
    const small = await count(2027)
    const big = await count(2026)
    expect({ small, big }).toEqual({ small: LOAD_QUERIES, big: LOAD_QUERIES })
    // The whole request: the login, the platform, the year's rows and the targets.
    await own.get('/admin/p/bilan/report.json?year=2026')
    counter.n = 0
    await own.get('/admin/p/bilan/report.json?year=2026')
    const request2026 = counter.n
    counter.n = 0
    await own.get('/admin/p/bilan/report.json?year=2025')
    expect(counter.n).toBe(request2026)
    expect(request2026).toBeLessThanOrEqual(LOAD_QUERIES + 4)
  })
})
