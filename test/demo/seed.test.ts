import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CALENDAR_2021, seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

const TABLES = ['platform', 'commune', 'venue', 'session', 'agenda_item', 'holder', 'initiative', 'pitch', 'partner', 'contact', 'invitation', 'outbox'] as const

describe('npm run seed:demo', () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  async function counts() {
    const out: Record<string, number> = {}
    for (const table of TABLES) out[table] = (await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
    return out
  }

  async function seed() {
    await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
    await seedDemoPitches(t.app.ctx)
    await seedDemoPartners(t.app.ctx)
  }

  it('creates Lens-Liévin with its communes, the 2021 calendar as published, and two planned years', async () => {
    await seed()
    const communes = await t.db.selectFrom('commune').select('name').execute()
    expect(communes).toHaveLength(36)
    expect(communes.map((c) => c.name)).toContain('Éleu-dit-Leauwette')
    const sessions = await t.db.selectFrom('session').selectAll().orderBy('date').execute()
    const y2021 = sessions.filter((s) => s.date.startsWith('2021'))
    expect(y2021.map((s) => s.date)).toEqual(CALENDAR_2021)
    expect(y2021.every((s) => s.start_time === '09:00' && s.end_time === '12:00' && s.commune_id === null && s.status === 'published')).toBe(true)
    const coming = sessions.filter((s) => s.date >= '2026-01-01')
    expect(coming.length).toBeGreaterThanOrEqual(18)
    expect(coming.every((s) => s.status === 'published' && s.commune_id !== null)).toBe(true)
    // The rotation gives each session a different commune until all have hosted.
    expect(new Set(coming.map((s) => s.commune_id)).size).toBe(coming.length)
    expect(coming.find((s) => s.date.startsWith('2026-12'))!.date).toBe('2026-12-18') // Noël moved
    const home = await t.app.inject('/lens-lievin')
    expect(home.body).toContain('La Fabrik à projets — Lens-Liévin')
    const past = await t.app.inject('/lens-lievin/sessions/2021-02-26')
    expect(past.body).toContain('Lieu à déterminer')
    expect((await t.db.selectFrom('pitch').selectAll().execute()).length).toBeGreaterThan(0)
    expect(await t.db.selectFrom('partner').selectAll().execute()).toHaveLength(11)
    const invitations = await t.db.selectFrom('invitation').selectAll().execute()
    expect(invitations).toHaveLength(12)
    expect(invitations.filter((i) => i.answer !== 'none')).toHaveLength(3)
    expect((await t.db.selectFrom('outbox').select('kind').where('kind', '=', 'session.invitation').execute())).toHaveLength(12)
  })

  it('changes nothing on a second run', async () => {
    await seed()
    const first = await counts()
    await seed()
    expect(await counts()).toEqual(first)
  })
})
