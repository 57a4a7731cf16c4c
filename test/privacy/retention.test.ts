import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { initiativeForHolder, insertPitch, upsertHolder } from '../../src/pitches/store.js'
import { dueForErasure, retentionCutoff, comingErasures, runRetention } from '../../src/privacy/retention.js'
import { ERASED_ADDRESS, ERASED_NAME } from '../../src/privacy/tables.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'
import { publishedSession } from '../pitches/helpers.js'

// Retention: a person with no activity for 36 months (their last session, pitch or answer) is erased by the
// background job, once; someone active in any role is kept; the facilitator can be told a week ahead.

describe('the retention rule', () => {
  it('takes the latest activity of an address across its roles', () => {
    const cutoff = retentionCutoff(new Date('2030-01-15T00:00:00.000Z'))
    expect(cutoff).toBe('2027-01-15T00:00:00.000Z')
    expect(dueForErasure([
      { email: 'old@example.org', at: '2026-12-18T11:00:00.000Z' },
      { email: 'Both@example.org', at: '2026-01-01T00:00:00.000Z' },
      { email: 'both@example.org', at: '2029-06-01T00:00:00.000Z' },
      { email: ERASED_ADDRESS, at: '2020-01-01T00:00:00.000Z' },
    ], cutoff)).toEqual(['old@example.org'])
  })
})

describe('the retention job', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    const platform = await createPlatform(t.db)
    const old = await publishedSession(t.db, platform, '2026-12-18')
    const recent = await publishedSession(t.db, platform, '2029-12-21')
    const at = '2026-11-23T09:00:00.000Z'
    for (const [n, sessionId] of [[1, old], [2, recent]] as const) {
      const holder = await upsertHolder(t.db, platform.id, { name: `Porteur ${n}`, email: `porteur${n}@example.org`, phone: null, kind: 'resident', commune_id: null }, at)
      const initiativeId = await initiativeForHolder(t.db, platform.id, holder.id, { title: `Projet ${n}`, summary: 'Un projet.', domain: null, needs: [], stage: null, commune_id: null }, at)
      await insertPitch(t.db, { session_id: sessionId, initiative_id: initiativeId, holder_id: holder.id, status: 'confirmed', position: 1, attendance_mode: 'on_site', public_title: 0, address_confirmed_at: at, hold_until: null, form_nonce_hash: null }, at)
    }
  })
  afterEach(() => t.close())

  it('erases only those past the period, announces them a week ahead, and erases each once', async () => {
    // 36 months after the old session (2026-12-18), less a few days: nothing yet, one announced.
    t.clock.set('2029-12-14T12:00:00.000Z')
    expect(await comingErasures(t.db, 1, t.clock.now())).toEqual({ due: 0, within: 1 })
    expect(await runRetention(t.app.ctx)).toBe(0)
    t.clock.set('2029-12-19T12:00:00.000Z')
    expect(await runRetention(t.app.ctx)).toBe(1)
    const holders = await t.db.selectFrom('holder').select(['name', 'email']).orderBy('id').execute()
    expect(holders).toEqual([{ name: ERASED_NAME, email: null }, { name: 'Porteur 2', email: 'porteur2@example.org' }])
    expect(await t.db.selectFrom('pitch').select('id').execute()).toHaveLength(2)
    expect(await runRetention(t.app.ctx)).toBe(0)
    const audit = await t.db.selectFrom('audit_event').select(['action', 'actor_kind', 'subject']).execute()
    expect(audit).toEqual([{ action: 'retention.erase', actor_kind: 'system', subject: 'holder:1' }])
  })
})
