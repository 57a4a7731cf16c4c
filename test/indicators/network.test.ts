import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOAD_QUERIES } from '../../src/indicators/queries.js'
import { setAdmin } from '../../src/platforms/store.js'
import { buildTestApp, Client, createFacilitator, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { aSession } from '../helpers/factories.js'
import { knownDataset, type Known, NOW, Counter } from './fixtures.js'

// The network view (#21): every platform's Bilan side by side and summed, for instance administrators only,
// with a constant number of queries whatever the number of platforms.


const csvLines = (payload: Buffer) => payload.subarray(3).toString('utf8').split('\r\n').slice(0, -1).map((l) => l.split(';'))

describe('the network view', () => {
  let t: TestApp
  let known: Known
  let admin: Client
  let own: Client
  let other: Client
  const counter = new Counter()
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, wrapDb: (db) => db.withPlugin(counter) })
    known = await knownDataset(t.db)
    own = await facilitatorClient(t.app, t.db, [known.platform.id])
    other = await facilitatorClient(t.app, t.db, [known.other.id], 'bruno@autre.example.org')
    await setAdmin(t.db, await createFacilitator(t.db, 'ada@fabrik.example.org', []))
    admin = new Client(t.app)
    await admin.login('ada@fabrik.example.org')
  }, 60_000)
  afterAll(() => t.close())

  it('shows each platform\'s figures, the same as its own Bilan, and their sum', async () => {
    const mine = (await own.get('/admin/p/bilan/report.json?year=2026')).json()
    const theirs = (await other.get('/admin/p/bilan-autre/report.json?year=2026')).json()
    const res = await admin.get('/admin/network.csv?year=2026')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-disposition']).toBe('attachment; filename="reseau-2026.csv"')
    const [head, ...rows] = csvLines(res.rawPayload)
    // Platforms in the order of their names: "Autre plateforme", "Plateforme du bilan".
    expect(head).toEqual(['indicateur', 'libellé', 'année', 'Autre plateforme', 'Plateforme du bilan', 'réseau'])
    const num = (s: string) => (s === '' ? null : Number(s.replace(',', '.')))
    const byKey = new Map(rows.map((r) => [r[0]!, r.slice(3).map(num)]))
    for (const key of ['sessionsHeld', 'sessionsCancelled', 'communesVisited', 'pitches', 'distinctHolders', 'partnersPresent', 'partnersInvited', 'advice', 'referrals', 'referralsSucceeded', 'hours', 'holderCommunes', 'initiativesStageChanged', 'firstTimeHolders']) {
      expect(byKey.get(key), key).toEqual([theirs[key], mine[key], theirs[key] + mine[key]])
    }
    expect(byKey.get('sessionsByMode.in_person')).toEqual([1, 2, 3])
    expect(byKey.get('holdersByKind.resident')).toEqual([1, 2, 3])
    // The median is over every referral of the network, not a sum: only R1, aboutie after 10 days.
    expect(byKey.get('medianDaysToSucceeded')).toEqual([null, 10, 10])
    expect(mine).toMatchObject({ sessionsHeld: 4, pitches: 4 })

    const page = await admin.get('/admin/network?year=2026')
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<h1>Réseau : bilan 2026</h1>')
    expect(page.body).toContain('<th scope="col" data-platform="bilan">Plateforme du bilan</th>')
    expect(page.body).toMatch(/<tr data-indicator="sessionsHeld"><th scope="row">Séances tenues<\/th><td>1<\/td><td>4<\/td><td data-total>5<\/td><\/tr>/)
    expect(page.body).toContain('href="/admin/network">Réseau</a>')
    // Any range too.
    const range = csvLines((await admin.get('/admin/network.csv?from=2026-12-01&to=2027-01-31')).rawPayload)
    expect(range.find((r) => r[0] === 'sessionsHeld')).toEqual(['sessionsHeld', 'Séances tenues', '2026-12-01 – 2027-01-31', '0', '3', '3'])
    expect((await admin.get('/admin/network?from=2027-01-31&to=2026-12-01')).statusCode).toBe(400)
    expect((await admin.get('/admin/network.csv?year=abc')).statusCode).toBe(400)
  })

  it('is for the instance administrators only', async () => {
    for (const url of ['/admin/network', '/admin/network?year=2026', '/admin/network.csv']) {
      const refused = await own.get(url)
      expect(refused.statusCode, url).toBe(403)
      expect(refused.body).not.toContain('Plateforme du bilan')
      const anon = await t.app.inject({ method: 'GET', url })
      expect(anon.statusCode, url).toBe(303)
      expect(anon.headers.location).toMatch(/^\/login\?next=/)
    }
    expect((await own.get('/admin/p/bilan/indicators')).body).not.toContain('href="/admin/network"')
  })

  it('answers with the same number of queries whatever the number of platforms', async () => {
    const count = async () => {
      await admin.get('/admin/network?year=2026')
      counter.n = 0
      expect((await admin.get('/admin/network?year=2026')).statusCode).toBe(200)
      return counter.n
    }
    const two = await count()
    for (const slug of ['trois', 'quatre', 'cinq']) {
      const p = await createPlatform(t.db, { slug, name: `Plateforme ${slug}` })
      await aSession(t.db, p, { date: '2026-06-26' })
    }
    const five = await count()
    expect({ two, five }).toEqual({ two, five: two })
    expect(two).toBeLessThanOrEqual(LOAD_QUERIES + 3) // the login, the platforms, LOAD_QUERIES for all of them
    const csv = csvLines((await admin.get('/admin/network.csv?year=2026')).rawPayload)
    expect(csv.find((r) => r[0] === 'sessionsHeld')!.slice(3)).toEqual(['1', '1', '4', '1', '1', '8']) // by name: Autre, cinq, du bilan, quatre, trois
  })
})
