import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import ExcelJS from 'exceljs'
import { parsePeriod, periodWords } from '../../src/indicators/period.js'
import { TABLE_TITLES } from '../../src/indicators/report.js'
import { buildTestApp, type Client, facilitatorClient, type TestApp } from '../helpers/app.js'
import { knownDataset, NOW } from './fixtures.js'

// Any date range beside the calendar year, the figures added to the Bilan (holders' communes, stage changes
// from the records), and the whole report as one workbook read back with the library that wrote it.

describe('the period of a Bilan', () => {
  it('is the current year by default, a year, or a range of dates, with French reasons otherwise', () => {
    expect(parsePeriod({}, 2027)).toEqual({ ok: true, period: { from: '2027-01-01', to: '2027-12-31', year: 2027 } })
    expect(parsePeriod({ year: '2026' }, 2027)).toEqual({ ok: true, period: { from: '2026-01-01', to: '2026-12-31', year: 2026 } })
    expect(parsePeriod({ from: '2026-09-01', to: '2027-08-31' }, 2027)).toEqual({ ok: true, period: { from: '2026-09-01', to: '2027-08-31', year: null } })
    // A range that is exactly a calendar year is that year (its targets are shown).
    expect(parsePeriod({ from: '2026-01-01', to: '2026-12-31' }, 2027)).toMatchObject({ ok: true, period: { year: 2026 } })
    expect(parsePeriod({ from: '2026-05-01', to: '2026-05-01' }, 2027)).toMatchObject({ ok: true, period: { year: null } })
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ year: '2026', from: '2026-01-01', to: '2026-02-01' }, 'pas les deux'],
      [{ from: '2026-01-01' }, 'date de fin'],
      [{ to: '2026-01-01' }, 'date de début'],
      [{ from: '2026-02-30', to: '2026-03-01' }, 'date du calendrier'],
      [{ from: '01/02/2026', to: '2026-03-01' }, 'AAAA-MM-JJ'],
      [{ from: '2026-03-01', to: '2026-02-01' }, 'avant la date de début'],
      [{ from: '1999-12-01', to: '2026-02-01' }, 'de 2000 à 2100'],
      [{ from: ['2026-01-01', '2026-02-01'], to: '2026-03-01' }, 'une seule'],
      [{ year: '26' }, 'quatre chiffres'],
    ]
    for (const [query, words] of bad) {
      const r = parsePeriod(query, 2027)
      expect(r.ok, JSON.stringify(query)).toBe(false)
      if (!r.ok) expect(r.message, JSON.stringify(query)).toContain(words)
    }
  })

  it('reads in French', () => {
    expect(periodWords({ from: '2026-01-01', to: '2026-12-31', year: 2026 })).toBe('du 1er janvier au 31 décembre 2026')
    expect(periodWords({ from: '2026-12-01', to: '2027-01-31', year: null })).toBe('du 1er décembre 2026 au 31 janvier 2027')
  })
})

describe('the Bilan of any period, on the known dataset', () => {
  let t: TestApp
  let own: Client
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW })
    await knownDataset(t.db)
    own = await facilitatorClient(t.app, t.db, [(await t.db.selectFrom('platform').select('id').where('slug', '=', 'bilan').executeTakeFirstOrThrow()).id])
    await own.submit('/admin/p/bilan/indicators?year=2026', { year: '2026', target_sessionsHeld: '10' }, '/admin/p/bilan/indicators/targets')
  }, 60_000)
  afterAll(() => t.close())

  it('counts the holders by commune and the stage changes from the records, not from the initiatives of today', async () => {
    const y2026 = (await own.get('/admin/p/bilan/report.json?year=2026')).json()
    expect(y2026).toMatchObject({
      // H1 and H4 in Lens, H2 in Liévin.
      holdersByCommune: [{ name: 'Lens', holders: 2 }, { name: 'Liévin', holders: 1 }], holderCommunes: 2,
      // Mission locale, France Active and Conseil départemental were invited to S1 (S3, cancelled, does not count).
      partnersInvited: 3,
      // P1 idée → projet, P6 idée → en cours; P2 recorded at idée → idée; P5 at the cancelled session. Today the
      // initiatives of P1 and P6 are at "projet" and "en cours": the stage when presented was "idée" for all four.
      stageChanges: [{ from: 'idee', to: 'en_cours', initiatives: 1 }, { from: 'idee', to: 'projet', initiatives: 1 }],
      initiativesStageChanged: 2, initiativesByStage: { idee: 4 },
    })
    // H3 said no commune.
    expect((await own.get('/admin/p/bilan/report.json?year=2027')).json()).toMatchObject({ holdersByCommune: [{ name: '', holders: 1 }], holderCommunes: 0, stageChanges: [], initiativesStageChanged: 0 })
    const page = (await own.get('/admin/p/bilan/indicators?year=2026')).body
    expect(page).toMatch(/<caption id="tableau-changements-stade">[\s\S]*?<td>Une idée<\/td><td>Une action déjà en cours<\/td><td>1<\/td>/)
    expect(page).toMatch(/data-table="holder-communes">[\s\S]*?<th scope="row">Lens<\/th><td>2<\/td>/)
    const csv = (await own.get('/admin/p/bilan/report.csv?year=2026&table=stage-changes')).rawPayload.subarray(3).toString('utf8')
    expect(csv).toBe('stade avant;stade après;initiatives\r\nUne idée;Une action déjà en cours;1\r\nUne idée;Un projet construit;1\r\n')
  })

  it('takes a date range across two years: the sessions of those dates, no targets, and says why', async () => {
    const res = await own.get('/admin/p/bilan/report.json?from=2026-12-01&to=2027-01-31')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({
      year: null, from: '2026-12-01', to: '2027-01-31',
      sessionsHeld: 3, // S5 (31 December), S6 (1 January 00:30), S7 (8 January, moved from 18 December)
      sessionsUpcoming: 1, // S8 on 29 January
      sessionsCancelled: 0, communesVisited: 3, // Lens, Liévin, Avion
      pitches: 1, distinctHolders: 1, firstTimeHolders: 1, returningHolders: 0, // P8 by H3 (P5 was at a cancelled session); P7 waiting
      partnersPresent: 1, advice: 0, referrals: 0,
      targets: {}, // the 2026 target is not for this range
    })
    // The whole of 2026 asked as a range is the year 2026, with its target.
    expect((await own.get('/admin/p/bilan/report.json?from=2026-01-01&to=2026-12-31')).json()).toMatchObject({ year: 2026, sessionsHeld: 4, targets: { sessionsHeld: 10 } })

    const page = await own.get('/admin/p/bilan/indicators?from=2026-12-01&to=2027-01-31')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1>Bilan du 1er décembre 2026 au 31 janvier 2027 : Plateforme du bilan</h1>')
    expect(page.body).toContain("Les objectifs se fixent par année civile")
    expect(page.body).not.toContain('/indicators/targets')
    expect(page.body).toContain('href="/admin/p/bilan/report.csv?from=2026-12-01&amp;to=2027-01-31&amp;table=communes"')
    expect(page.body).toContain('value="2026-12-01"')
    const csv = (await own.get('/admin/p/bilan/report.csv?from=2026-12-01&to=2027-01-31')).rawPayload.subarray(3).toString('utf8').split('\r\n')
    expect(csv[0]).toBe('indicateur;libellé;période;réalisé;objectif;écart;progression')
    expect(csv).toContain('sessionsHeld;Séances tenues;2026-12-01 – 2027-01-31;3;;;')
    const print = (await own.get('/admin/p/bilan/indicators/print?from=2026-12-01&to=2027-01-31')).body
    expect(print).toContain('<dt>Période</dt><dd>du 1er décembre 2026 au 31 janvier 2027 (fuseau Europe/Paris)</dd>')
  })

  it('refuses a period that is not one, in French, the form filled in as sent', async () => {
    const page = await own.get('/admin/p/bilan/indicators?from=2027-02-01&to=2027-01-01')
    expect(page.statusCode).toBe(400)
    expect(page.body).toContain('La date de fin est avant la date de début.')
    expect(page.body).toContain('value="2027-02-01"')
    expect(page.body).toContain('aria-invalid="true"')
    const json = await own.get('/admin/p/bilan/report.json?from=2027-02-30&to=2027-03-01')
    expect(json.statusCode).toBe(400)
    expect(json.json().error).toContain('date du calendrier')
    for (const url of ['/admin/p/bilan/report.csv?from=x&to=y', '/admin/p/bilan/report.xlsx?year=1', '/admin/p/bilan/indicators/print?year=2026&from=2026-01-01&to=2026-02-01']) {
      expect((await own.get(url)).statusCode, url).toBe(400)
    }
  })

  it('downloads the whole report as one workbook: one sheet per table, numbers as numbers, formulas neutralised', async () => {
    const res = await own.get('/admin/p/bilan/report.xlsx?year=2027')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    expect(res.headers['content-disposition']).toBe('attachment; filename="bilan-bilan-2027.xlsx"')
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer)
    expect(book.worksheets.map((w) => w.name)).toEqual(Object.values(TABLE_TITLES))
    const rows = (name: string) => (book.getWorksheet(name)!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1))
    const indicators = rows('Indicateurs')
    expect(indicators[0]).toEqual(['indicateur', 'libellé', 'année', 'réalisé', 'objectif', 'écart', 'progression'])
    expect(indicators).toContainEqual(['sessionsHeld', 'Séances tenues', 2027, 2])
    expect(indicators).toContainEqual(['hours', 'Heures de table ronde', 2027, 4.5])
    expect(rows('Partenaires')).toEqual([
      ['organisation', 'invitée', 'présente', 'sur place', 'à distance', 'venue sans invitation'],
      [`'=HYPERLINK("http://evil.example";"Cliquez")`, 0, 1, 1, 0, 'oui'],
    ])
    expect(rows('Communes des porteurs')).toEqual([['commune', 'porteurs'], ['Non renseignée', 1]])
    // No cell of the workbook is a formula.
    for (const sheet of book.worksheets) sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type, `${sheet.name} ${cell.address}`).not.toBe(ExcelJS.ValueType.Formula)))
    // The 2026 workbook carries the targets beside the results.
    const y2026 = new ExcelJS.Workbook()
    await y2026.xlsx.load((await own.get('/admin/p/bilan/report.xlsx?year=2026')).rawPayload as unknown as ArrayBuffer)
    expect((y2026.getWorksheet('Indicateurs')!.getSheetValues() as unknown[][]).filter(Boolean).map((r) => r.slice(1))).toContainEqual(
      ['sessionsHeld', 'Séances tenues', 2026, 4, 10, -6, "40 % de l'objectif : il manque 6."])
  })
})
