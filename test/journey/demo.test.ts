import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { journeyFacts, journeyInitiative } from '../../src/journey/queries.js'
import { buildJourney } from '../../src/journey/timeline.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

// npm run seed:demo: one initiative (Yasmina's repair café) has a journey across two sessions, with a referral
// that went from proposée to aboutie.

describe("the demo's journey", () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  it('tells the repair café across two sessions, with a referral from proposée to aboutie and a stage change', async () => {
    await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
    await seedDemoPitches(t.app.ctx)
    await seedDemoPartners(t.app.ctx)
    const row = await t.db.selectFrom('initiative').select('id').where('title', '=', 'Repair café de la cité des Provinces').executeTakeFirstOrThrow()
    const facts = await journeyFacts(t.db, (await journeyInitiative(t.db, row.id))!)
    const entries = buildJourney(facts, { kind: 'facilitator' }, 'Europe/Paris', t.clock.now().toISOString())
    const pitches = entries.filter((e) => e.kind === 'pitch')
    expect(pitches.map((e) => e.title)).toEqual(['Présentée en séance par Yasmina Haddouche', 'Présentée en séance par Yasmina Haddouche'])
    const insurance = entries.filter((e) => e.kind === 'referral' && e.title.includes('Assurance des bénévoles')).map((e) => e.title.split(' : ').pop())
    expect(insurance).toEqual(['proposée', 'contact pris', 'aboutie'])
    expect(entries.filter((e) => e.kind === 'stage').map((e) => e.title)).toEqual(['Stade : Une idée → Un projet construit'])
    // The later session's referral (in progress) comes after the first one's end.
    const kinds = entries.map((e) => e.kind)
    expect(kinds.indexOf('pitch')).toBeLessThan(kinds.lastIndexOf('referral'))
    expect(entries[0]!.kind).toBe('registered')
  })
})
