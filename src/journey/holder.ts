import type { Db } from '../db/schema.js'
import { journeyFacts, journeyInitiative } from './queries.js'
import { buildJourney, type Entry } from './timeline.js'

// The holder's shorter journey on their /pitch/ page (pitches/, a lower floor): app.ts hands this function
// to pitchRoutes as an option, so pitches/ never imports journey/.

export type HolderEntry = Pick<Entry, 'kind' | 'day' | 'title' | 'details'>

/** The journey of the holder's own part of their initiative: what timeline.ts lets a holder see. */
export async function holderJourney(db: Db, input: { initiativeId: number; holderId: number; zone: string; now: string }): Promise<HolderEntry[]> {
  const initiative = await journeyInitiative(db, input.initiativeId)
  if (!initiative) return []
  const facts = await journeyFacts(db, initiative)
  return buildJourney(facts, { kind: 'holder', holderId: input.holderId }, input.zone, input.now)
    .map((e) => ({ kind: e.kind, day: e.day, title: e.title, details: e.details }))
}
