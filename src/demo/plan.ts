import type { Db, Platform } from '../db/schema.js'
import { homePlace, listCommunes } from '../platforms/store.js'
import { draftsFromPlan, type PlanRequest, proposePlan } from '../sessions/planning.js'
import { hostingHistory, listSessions, type SessionInput } from '../sessions/store.js'

// The demo plans its years as a facilitator does on "Planifier l'année" (sessions/plan-routes.ts): the rule's
// dates off holidays, each in the commune the rotation proposes, or at the platform's own venue when it has
// one. Dates that already have a session are left alone, so a second seed run adds nothing.

/** The sessions the year's plan adds, with the proposal's communes, as the planner's "Créer" would create them. */
export async function plannedYear(db: Db, platform: Platform, request: PlanRequest): Promise<SessionInput[]> {
  const [existing, communes, history, home] = await Promise.all([
    listSessions(db, platform.id, { from: `${request.year}-01-01`, to: `${request.year}-12-31` }),
    listCommunes(db, platform.id),
    hostingHistory(db, platform.id),
    homePlace(db, platform),
  ])
  const rows = proposePlan(platform, request, { existing, communes: communes.map((c) => ({ id: c.id, name: c.name })), history, home })
  return draftsFromPlan(rows, request, new Map(), home)
}
