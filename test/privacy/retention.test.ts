import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { initiativeForHolder, insertPitch, upsertHolder } from '../../src/pitches/store.js'
import { dueByRole, dueForErasure, retentionCutoff, retentionPreview, runRetention } from '../../src/privacy/retention.js'
import { ERASED_ADDRESS, ERASED_NAME } from '../../src/privacy/tables.js'
import type { Platform } from '../../src/db/schema.js'
import { buildTestApp, Client, createFacilitator, createPlatform, type TestApp } from '../helpers/app.js'
import { publishedSession } from '../pitches/helpers.js'
import { settingsValues } from '../helpers/settings.js'

// Retention: a person with no activity for the platform's period (36 months by default: their last session,
// pitch or answer) is erased by the background job, once; someone active in any role is kept. Every run is
// announced a week before, once, to the platform's facilitators (figures, no names), and the settings page
// shows the same figures; the period is set per platform.

describe('the retention rule', () => {
  it('takes the latest activity of an address across its roles', () => {
    const cutoff = retentionCutoff(new Date('2030-01-15T00:00:00.000Z'))
    expect(cutoff).toBe('2027-01-15T00:00:00.000Z')
    expect(retentionCutoff(new Date('2030-01-15T00:00:00.000Z'), 12)).toBe('2029-01-15T00:00:00.000Z')
    const acts = [
      { email: 'old@example.org', at: '2026-12-18T11:00:00.000Z', role: 'holder' as const },
      { email: 'Both@example.org', at: '2026-01-01T00:00:00.000Z', role: 'other' as const },
      { email: 'both@example.org', at: '2029-06-01T00:00:00.000Z', role: 'contact' as const },
      { email: 'walkin@example.org', at: '2026-01-01T00:00:00.000Z', role: 'other' as const },
      { email: ERASED_ADDRESS, at: '2020-01-01T00:00:00.000Z' },
    ]
    expect(dueForErasure(acts, cutoff)).toEqual(['old@example.org', 'walkin@example.org'])
    expect(dueByRole(acts, cutoff)).toMatchObject({ holders: 1, contacts: 0, others: 1 })
  })
})

describe('the retention job', () => {
  let t: TestApp
  let platform: Platform
  beforeEach(async () => {
    t = await buildTestApp()
    platform = await createPlatform(t.db)
    const old = await publishedSession(t.db, platform, '2026-12-18')
    const recent = await publishedSession(t.db, platform, '2029-12-21')
    const at = '2026-11-23T09:00:00.000Z'
    for (const [n, sessionId] of [[1, old], [2, recent]] as const) {
      const holder = await upsertHolder(t.db, platform.id, { name: `Porteur ${n}`, email: `porteur${n}@example.org`, phone: null, kind: 'resident', commune_id: null }, at)
      const initiativeId = await initiativeForHolder(t.db, platform.id, holder.id, { title: `Projet ${n}`, summary: 'Un projet.', domain: null, needs: [], stage: null, commune_id: null }, at)
      await insertPitch(t.db, { session_id: sessionId, initiative_id: initiativeId, holder_id: holder.id, status: 'confirmed', position: 1, attendance_mode: 'on_site', public_title: 0, address_confirmed_at: at, hold_until: null, form_nonce_hash: null }, at)
    }
    await createFacilitator(t.db, 'camille@test.example.org', [platform.id])
  })
  afterEach(() => t.close())

  const notices = () => t.db.selectFrom('outbox').selectAll().where('kind', '=', 'retention.notice').execute()
  // A login of today's clock (one from years before has expired).
  const login = async () => { const c = new Client(t.app); await c.login('camille@test.example.org'); return c }
  const settings = async () => (await (await login()).get('/admin/p/test/settings')).body

  it('announces a run a week ahead, once, then erases only those announced, each once', async () => {
    // 36 months after the old session (2026-12-18 12:00), less 20 days: nothing yet, nothing announced.
    t.clock.set('2029-11-28T12:00:00.000Z')
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 0, erased: 0 })
    expect(await settings()).toContain('data-retention-next="0"')
    // Less 5 days: Porteur 1 passes the period within the week, so the run is announced for a week later.
    t.clock.set('2029-12-13T12:00:00.000Z')
    expect((await retentionPreview(t.db, platform, t.clock.now())).next.total).toBe(1)
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 1, erased: 0 })
    const [mail, ...more] = await notices()
    expect(more).toEqual([])
    expect(mail).toMatchObject({ to_email: 'camille@test.example.org', platform_id: platform.id })
    expect(mail!.text_body).toContain('Le jeudi 20 décembre 2029, Fabrik effacera les données personnelles de 1 personne')
    expect(mail!.text_body).toContain('- porteurs de projet : 1')
    expect(mail!.text_body).not.toContain('Porteur 1')
    expect(mail!.text_body).not.toContain('porteur1@example.org')
    expect(mail!.text_body).toContain('http://fabrik.test/admin/p/test/settings')
    const page = await settings()
    expect(page).toContain('data-retention-run="1"')
    expect(page).toContain('Prochain effacement annoncé le 20 décembre 2029')
    // The day after: the run is announced, not due; no second mail.
    t.clock.set('2029-12-14T12:00:00.000Z')
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 0, erased: 0 })
    expect(await notices()).toHaveLength(1)
    // The run's day: Porteur 1 goes, Porteur 2 stays.
    t.clock.set('2029-12-20T13:00:00.000Z')
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 0, erased: 1 })
    const holders = await t.db.selectFrom('holder').select(['name', 'email']).orderBy('id').execute()
    expect(holders).toEqual([{ name: ERASED_NAME, email: null }, { name: 'Porteur 2', email: 'porteur2@example.org' }])
    expect(await t.db.selectFrom('pitch').select('id').execute()).toHaveLength(2)
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 0, erased: 0 })
    const audit = await t.db.selectFrom('audit_event').select(['action', 'actor_kind', 'subject']).orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'retention.announce', actor_kind: 'system', subject: null },
      { action: 'retention.erase', actor_kind: 'system', subject: 'holder:1' },
    ])
  })

  it('keeps someone active again before the run, and follows the period set on the settings page', async () => {
    t.clock.set('2029-12-13T12:00:00.000Z')
    await runRetention(t.app.ctx)
    // Porteur 1 edits their details before the run: their row's activity moves, they are kept.
    await t.db.updateTable('holder').set({ updated_at: '2029-12-15T09:00:00.000Z' }).where('email', '=', 'porteur1@example.org').execute()
    t.clock.set('2029-12-20T13:00:00.000Z')
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 0, erased: 0 })
    expect(await t.db.selectFrom('holder').select('name').where('name', '=', ERASED_NAME).execute()).toEqual([])

    // A shorter period (12 months) on the settings page: the count there follows, and the next run names both.
    const admin = await login()
    const form = await admin.get('/admin/p/test/settings')
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!
    const saved = await admin.post('/admin/p/test/settings', settingsValues(platform, { _csrf: csrf, contact_name: 'Animatrice Test', retention_months: '12' }))
    expect(saved.statusCode).toBe(303)
    t.clock.set('2031-01-10T12:00:00.000Z')
    expect(await settings()).toContain('data-retention-next="2"')
    expect(await runRetention(t.app.ctx)).toEqual({ announced: 1, erased: 0 })
    expect((await notices()).at(-1)!.text_body).toContain('de 2 personnes sans activité')
    expect((await notices()).at(-1)!.text_body).toContain('(12 mois, la durée de conservation de la plateforme)')
  })
})
