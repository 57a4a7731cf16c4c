import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { aBookedPitch, aCommune, aSession } from '../helpers/factories.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'
import type { Platform } from '../../src/db/schema.js'

// The public session page and sessions.json as a newcomer reads them (#24 §6): the mode, "lieu à déterminer"
// beside a commune without a venue, "liste d'attente" once full, no free slot on a cancelled session.

describe('the public session page and sessions.json', () => {
  let t: TestApp
  let platform: Platform
  beforeEach(async () => {
    t = await buildTestApp()
    platform = await createPlatform(t.db)
  })
  afterEach(() => t.close())

  it('shows the mode, and "lieu précis à déterminer" when only the commune is known', async () => {
    const commune = await aCommune(t.db, platform)
    await aSession(t.db, platform, { commune_id: commune.id })
    const body = (await t.app.inject('/test/sessions/2026-12-18')).body
    expect(body).toContain('<dt>Mode</dt><dd data-mode="in_person">Sur place</dd>')
    expect(body).toContain('Harnes — lieu précis à déterminer')
  })

  it('a full session offers the waiting list, not "Réserver un créneau"', async () => {
    const id = await aSession(t.db, platform)
    let body = (await t.app.inject('/test/sessions/2026-12-18')).body
    expect(body).toContain('Réserver un créneau')
    for (const n of [1, 2, 3]) await aBookedPitch(t.app.ctx, platform, id, n)
    body = (await t.app.inject('/test/sessions/2026-12-18')).body
    expect(body).not.toContain('Réserver un créneau')
    expect(body).toContain('M&#39;inscrire sur la liste d&#39;attente')
  })

  it('sessions.json shows no free slot on a cancelled session', async () => {
    await aSession(t.db, platform, { status: 'cancelled' })
    await aSession(t.db, platform, { date: '2027-01-29' })
    const json = JSON.parse((await t.app.inject('/test/sessions.json')).body) as Array<{ date: string; status: string; freePitchSlots: number }>
    expect(json.map((s) => [s.date, s.status, s.freePitchSlots])).toEqual([['2026-12-18', 'cancelled', 0], ['2027-01-29', 'published', 3]])
  })
})

describe('how long a pitch lasts', () => {
  it('is the one figure of the session agenda: the booking form says it, beside "en quelques minutes"', async () => {
    const { pitchMinutes } = await import('../../src/sessions/view.js')
    expect(pitchMinutes([{ kind: 'welcome', duration_minutes: 20 }, { kind: 'pitch', duration_minutes: 30 }, { kind: 'pitch', duration_minutes: 30 }, { kind: 'pitch', duration_minutes: 45 }])).toBe(30)
    expect(pitchMinutes([{ kind: 'break', duration_minutes: 10 }])).toBeNull()
    const t = await buildTestApp()
    try {
      const platform = await createPlatform(t.db)
      const id = await aSession(t.db, platform)
      await t.db.updateTable('agenda_item').set({ duration_minutes: 25 }).where('session_id', '=', id).where('kind', '=', 'pitch').execute()
      const body = (await t.app.inject('/test/sessions/2026-12-18/pitch')).body
      expect(body).toContain('votre passage, échanges compris, dure environ 25 minutes')
      expect(body).not.toContain('40 minutes')
    } finally {
      await t.close()
    }
  })
})
