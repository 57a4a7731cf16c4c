import { afterEach, describe, expect, it } from 'vitest'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { parseDocument } from '../../src/minutes/document.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

// npm run seed:demo sends the minutes of the demo's most recent past session through the real path; a second
// run changes nothing.

let t: TestApp
afterEach(() => t.close())

async function seed() {
  await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
  await seedDemoPitches(t.app.ctx)
  await seedDemoPartners(t.app.ctx)
}

const state = async () => JSON.stringify(await Promise.all([
  t.db.selectFrom('minutes_version').selectAll().execute(), t.db.selectFrom('minutes_draft').selectAll().execute(),
  t.db.selectFrom('outbox').select(['id', 'kind', 'to_email']).where('kind', 'in', ['session.minutes', 'pitch.minutes']).execute(),
]))

describe('the demo’s minutes', () => {
  it('sends the minutes of the most recent past session (three pitches, three holders), once', async () => {
    t = await buildTestApp()
    await seed()
    const versions = await t.db.selectFrom('minutes_version').selectAll().execute()
    expect(versions).toHaveLength(1)
    const doc = parseDocument(versions[0]!.document)
    expect(doc.pitches.length).toBeGreaterThanOrEqual(3)
    expect(new Set(doc.pitches.map((p) => p.holderId)).size).toBe(doc.pitches.length)
    const past = await t.db.selectFrom('session').select(['id', 'date']).where('id', '=', versions[0]!.session_id).executeTakeFirstOrThrow()
    expect(past.date < t.clock.now().toISOString().slice(0, 10)).toBe(true)
    const mails = await t.db.selectFrom('outbox').selectAll().where('kind', 'in', ['session.minutes', 'pitch.minutes']).execute()
    expect(mails.filter((m) => m.kind === 'pitch.minutes')).toHaveLength(doc.pitches.length)
    expect(mails.filter((m) => m.kind === 'session.minutes').length).toBeGreaterThanOrEqual(3)
    expect(mails.every((m) => m.status === 'queued')).toBe(true)
    const before = await state()
    await seed()
    expect(await state()).toBe(before)
  })
})
