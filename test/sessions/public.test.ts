import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { ensureCommune } from '../../src/platforms/store.js'
import { insertSession, type SessionInput } from '../../src/sessions/store.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'

const base: SessionInput = { date: '', start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null, mode: 'in_person', video_url: null, status: 'published', notes: null, moved_because: null }

describe('public pages and feeds', () => {
  let t: TestApp
  let p: Platform
  let harnes: number
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db, { slug: 'lens-lievin', name: 'La Fabrik à projets — Lens-Liévin' })
    harnes = (await ensureCommune(t.db, p.id, { name: 'Harnes', postcode: '62440' }, '2026-01-01T00:00:00.000Z')).id
    const venue = await t.db.insertInto('venue').values({ platform_id: p.id, commune_id: harnes, name: 'Salle X', address: '1 rue des Fusillés, 62440 Harnes', accessibility: 'Plain-pied', capacity: 40, host_name: null, host_email: null, host_phone: null, created_at: 'x', updated_at: 'x' }).returning('id').executeTakeFirstOrThrow()
    const now = '2026-11-01T00:00:00.000Z'
    await insertSession(t.db, p, { ...base, date: '2026-10-30' }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2026-11-27', commune_id: harnes, venue_id: venue.id }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2026-12-18', mode: 'videoconference', video_url: 'https://visio.example.org/abc' }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2027-01-29', status: 'draft' }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2027-02-26', status: 'cancelled' }, 'fabrik.test', now)
  })
  afterEach(() => t.close())

  it('redirects / to the only platform and lists upcoming published sessions in French', async () => {
    expect((await t.app.inject('/')).headers.location).toBe('/lens-lievin')
    const res = await t.app.inject('/lens-lievin')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('Vendredi 27 novembre 2026 · 9 h – 12 h')
    expect(res.body).toContain('Harnes — Salle X')
    expect(res.body).toContain('Vendredi 18 décembre 2026')
    expect(res.body).toContain('class="badge visio">Visioconférence')
    expect(res.body).not.toContain('30 octobre 2026') // past
    expect(res.body).not.toContain('29 janvier 2027') // draft
    expect(res.body).toContain('class="badge cancelled">Annulée')
  })

  it('shows a session page with place, agenda and subscription links', async () => {
    const res = await t.app.inject('/lens-lievin/sessions/2026-11-27')
    expect(res.statusCode).toBe(200)
    expect(res.body).toContain('<h1>Vendredi 27 novembre 2026</h1>')
    expect(res.body).toContain('1 rue des Fusillés, 62440 Harnes')
    expect(res.body).toContain('Accueil et tour de table')
    expect(res.body).toContain('9 h 20')
    expect(res.body).toContain('href="webcal://fabrik.test/lens-lievin/calendar.ics"')
    expect(res.body).toContain('href="http://fabrik.test/lens-lievin/sessions/2026-11-27.ics"')
    const tbd = await t.app.inject('/lens-lievin/sessions/2026-10-30')
    expect(tbd.body).toContain('Lieu à déterminer')
    expect(tbd.body).toContain('Cette réunion a eu lieu.')
  })

  it('answers 404 in French for an unknown platform, date, draft or malformed date', async () => {
    for (const url of ['/nope', '/lens-lievin/sessions/2026-11-28', '/lens-lievin/sessions/2027-01-29', '/lens-lievin/sessions/2026-13-45', '/lens-lievin/sessions/x.ics', '/nope/calendar.ics', '/lens-lievin/communes/nope/calendar.ics']) {
      const res = await t.app.inject(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.body).toContain('Page introuvable')
    }
  })

  it('serves the session .ics at the right instant, linted', async () => {
    const res = await t.app.inject('/lens-lievin/sessions/2026-11-27.ics')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/calendar; charset=utf-8')
    expect(lintIcs(res.body)).toEqual([])
    const ics = parseIcs(res.body)
    expect(ics.events).toHaveLength(1)
    expect(ics.events[0]!.start).toBe('2026-11-27T08:00:00.000Z')
    expect(ics.events[0]!.location).toContain('Salle X')
    expect(ics.events[0]!.attendees).toEqual([])
  })

  it('serves sessions.json with the contract fields', async () => {
    const res = await t.app.inject('/lens-lievin/sessions.json')
    const items = res.json() as Array<Record<string, unknown>>
    expect(items.map((i) => i.date)).toEqual(['2026-11-27', '2026-12-18', '2027-02-26'])
    expect(items[0]).toMatchObject({
      date: '2026-11-27', start: '2026-11-27T09:00:00+01:00', end: '2026-11-27T12:00:00+01:00', commune: 'Harnes', venue: 'Salle X',
      mode: 'in_person', status: 'published', url: 'http://fabrik.test/lens-lievin/sessions/2026-11-27',
      ics: 'http://fabrik.test/lens-lievin/sessions/2026-11-27.ics', freePitchSlots: 3,
    })
    expect(items[1]).toMatchObject({ commune: null, venue: null, mode: 'videoconference' })
    expect(items[2]).toMatchObject({ status: 'cancelled' })
  })

  it('serves the public feed: cancelled kept, no attendee, deterministic with a working 304', async () => {
    const res = await t.app.inject('/lens-lievin/calendar.ics')
    expect(res.statusCode).toBe(200)
    expect(lintIcs(res.body)).toEqual([])
    const ics = parseIcs(res.body)
    expect(ics.events.map((e) => e.start)).toEqual(['2026-10-30T08:00:00.000Z', '2026-11-27T08:00:00.000Z', '2026-12-18T08:00:00.000Z', '2027-02-26T08:00:00.000Z'])
    expect(ics.events[3]!.status).toBe('CANCELLED')
    expect(ics.events[2]!.conference).toBe('https://visio.example.org/abc')
    expect(res.body).not.toContain('ATTENDEE')
    expect(res.body).toContain('X-WR-CALNAME:La Fabrik à projets — Lens-Liévin')
    expect(res.body).toContain('REFRESH-INTERVAL;VALUE=DURATION:')
    const again = await t.app.inject('/lens-lievin/calendar.ics')
    expect(again.body).toBe(res.body)
    const etag = String(res.headers.etag)
    expect(etag).toMatch(/^"/)
    const cached = await t.app.inject({ url: '/lens-lievin/calendar.ics', headers: { 'if-none-match': etag } })
    expect(cached.statusCode).toBe(304)
    expect(cached.body).toBe('')
  })

  it('serves a feed per commune', async () => {
    const res = await t.app.inject('/lens-lievin/communes/harnes/calendar.ics')
    expect(res.statusCode).toBe(200)
    const ics = parseIcs(res.body)
    expect(ics.events.map((e) => e.start)).toEqual(['2026-11-27T08:00:00.000Z'])
    expect(res.body).toContain('X-WR-CALNAME:La Fabrik à projets — Lens-Liévin — Harnes')
  })

  it('never writes on GET or HEAD of public pages', async () => {
    const before = JSON.stringify(await t.db.selectFrom('session').selectAll().execute())
    for (const url of ['/', '/lens-lievin', '/lens-lievin/sessions/2026-11-27', '/lens-lievin/sessions.json', '/lens-lievin/calendar.ics']) {
      expect((await t.app.inject({ method: 'HEAD', url })).statusCode).toBeLessThan(400)
    }
    expect(JSON.stringify(await t.db.selectFrom('session').selectAll().execute())).toBe(before)
  })

  it('escapes names typed by facilitators everywhere', async () => {
    await t.db.updateTable('venue').set({ name: '<script>alert(1)</script>"><svg onload=x>' }).execute()
    const res = await t.app.inject('/lens-lievin/sessions/2026-11-27')
    expect(res.body).not.toContain('<script>alert(1)')
    expect(res.body).not.toContain('<svg onload')
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;svg onload=x&gt;')
    const feed = await t.app.inject('/lens-lievin/calendar.ics')
    expect(lintIcs(feed.body)).toEqual([])
  })
})
