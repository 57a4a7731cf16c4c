import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { isOverdue } from '../../src/referrals/status.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

// npm run seed:demo records the two most recent past sessions through the record's functions (src/demo/record.ts).

const TABLES = ['attendance', 'pitch_record', 'advice', 'referral', 'referral_event', 'pitch', 'outbox'] as const

describe('the demo: a lived-in follow-up', () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  async function seed() {
    await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
    await seedDemoPitches(t.app.ctx)
    await seedDemoPartners(t.app.ctx)
  }
  const snapshot = async () => Object.fromEntries(await Promise.all(TABLES.map(async (table) => [table, await t.db.selectFrom(table).selectAll().execute()])))

  it('records attendance, advice (some written), referrals in every status (some overdue), and a second run changes nothing', async () => {
    await seed()
    const lens = await t.db.selectFrom('platform').selectAll().where('slug', '=', 'lens-lievin').executeTakeFirstOrThrow()
    const sessions = await t.db.selectFrom('session').selectAll().where('platform_id', '=', lens.id).where('date', '<', '2026-11-23').where('date', '>=', '2026-01-01').orderBy('date', 'desc').limit(2).execute()
    const recent = sessions[0]!
    const pitches = await t.db.selectFrom('pitch').selectAll().where('session_id', '=', recent.id).where('status', '=', 'confirmed').execute()
    expect(new Set(pitches.map((p) => p.holder_id)).size).toBeGreaterThanOrEqual(3)
    const attendance = await t.db.selectFrom('attendance').selectAll().where('session_id', '=', recent.id).execute()
    expect(attendance.some((a) => a.contact_id === null && a.holder_id === null && a.name === 'Bernard Lemoine')).toBe(true)
    expect(new Set(attendance.filter((a) => a.partner_id !== null).map((a) => a.partner_id)).size).toBeGreaterThanOrEqual(4)
    const advice = await t.db.selectFrom('advice').selectAll().execute()
    expect(advice.filter((a) => a.source === 'written')).toHaveLength(2)
    expect(advice.filter((a) => a.source === 'table').length).toBeGreaterThanOrEqual(5)
    const referrals = await t.db.selectFrom('referral').selectAll().execute()
    expect(new Set(referrals.map((r) => r.status))).toEqual(new Set(['proposed', 'contacted', 'in_progress', 'succeeded', 'dropped']))
    expect(referrals.filter((r) => isOverdue(r, '2026-11-23')).length).toBeGreaterThanOrEqual(2)
    expect(await t.db.selectFrom('referral_event').select('id').where('by_kind', '=', 'partner').execute()).not.toHaveLength(0)
    expect(await t.db.selectFrom('outbox').select('id').where('kind', '=', 'pitch.revisit').execute()).toHaveLength(1)
    expect(await t.db.selectFrom('outbox').select('id').where('kind', '=', 'referral.made').execute()).not.toHaveLength(0)

    const before = await snapshot()
    await seed()
    expect(await snapshot()).toEqual(before)
  })
})
