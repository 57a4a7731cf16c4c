import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensureCommune } from '../../src/platforms/store.js'
import { insertSession, type SessionInput } from '../../src/sessions/store.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'

// The per-commune feed (/{platform}/communes/{commune}/calendar.ics) is linked from the platform page (one link
// per commune of an upcoming session) and from each session's page (its commune), and each link answers the feed.

const base: SessionInput = { date: '', start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null, mode: 'in_person', video_url: null, status: 'published', notes: null, moved_because: null }

describe('per-commune feed links', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db, { slug: 'lens-lievin', name: 'La Fabrik à projets — Lens-Liévin' })
    const harnes = (await ensureCommune(t.db, p.id, { name: 'Harnes', postcode: '62440' }, '2026-01-01T00:00:00.000Z')).id
    const lievin = (await ensureCommune(t.db, p.id, { name: 'Liévin', postcode: '62800' }, '2026-01-01T00:00:00.000Z')).id
    const now = '2026-11-01T00:00:00.000Z'
    await insertSession(t.db, p, { ...base, date: '2026-11-27', commune_id: harnes }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2026-12-18', commune_id: lievin }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2027-01-29', commune_id: harnes }, 'fabrik.test', now)
    await insertSession(t.db, p, { ...base, date: '2027-02-26', mode: 'videoconference', video_url: 'https://visio.example.org/abc' }, 'fabrik.test', now)
  })
  afterEach(() => t.close())

  const links = (html: string) => [...html.matchAll(/href="(\/lens-lievin\/communes\/[^"]+)"/g)].map((m) => m[1]!)

  it('links each commune once from the platform page, and each link answers its feed', async () => {
    const home = await t.app.inject('/lens-lievin')
    expect(links(home.body)).toEqual(['/lens-lievin/communes/harnes/calendar.ics', '/lens-lievin/communes/lievin/calendar.ics'])
    expect(home.body).toContain('calendrier de Liévin')
    for (const url of links(home.body)) {
      const feed = await t.app.inject(url)
      expect(feed.statusCode, url).toBe(200)
      expect(feed.headers['content-type']).toContain('text/calendar')
    }
    const harnes = await t.app.inject('/lens-lievin/communes/harnes/calendar.ics')
    expect(harnes.body.match(/BEGIN:VEVENT/g)).toHaveLength(2)
  })

  it("links the session's commune from its page, not from a videoconference", async () => {
    const page = await t.app.inject('/lens-lievin/sessions/2026-12-18')
    expect(links(page.body)).toEqual(['/lens-lievin/communes/lievin/calendar.ics'])
    expect(page.body).toContain('Calendrier des réunions à Liévin')
    const visio = await t.app.inject('/lens-lievin/sessions/2027-02-26')
    expect(links(visio.body)).toEqual([])
  })
})
