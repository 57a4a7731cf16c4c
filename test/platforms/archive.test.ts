import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LUXEMBOURG_SLUG } from '../../src/demo/luxembourg.js'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { findAnyPlatformBySlug, setArchived } from '../../src/platforms/store.js'
import { queueDueReminders } from '../../src/sessions/reminders.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

// An archived platform keeps its data but announces nothing more: no reminder is queued for its sessions.

describe('an archived platform', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
    await seedDemoPitches(t.app.ctx)
    await seedDemoPartners(t.app.ctx)
  })
  afterEach(() => t.close())

  const reminders = async (platformId: number) => (await t.db.selectFrom('outbox').select('id')
    .where('kind', '=', 'session.reminder').where('platform_id', '=', platformId).execute()).length

  it('queues no reminder for its sessions, and does again once restored', async () => {
    const lux = (await findAnyPlatformBySlug(t.db, LUXEMBOURG_SLUG))!
    // The day before its session of 8 December, which three confirmed pitches will present at.
    t.clock.set('2026-12-07T14:30:00.000Z')
    await setArchived(t.db, lux.id, true, t.clock.now().toISOString())
    await queueDueReminders(t.app.ctx)
    expect(await reminders(lux.id)).toBe(0)
    await setArchived(t.db, lux.id, false, t.clock.now().toISOString())
    await queueDueReminders(t.app.ctx)
    expect(await reminders(lux.id)).toBe(3)
  })
})
