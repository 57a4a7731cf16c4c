import type { FastifyInstance } from 'fastify'
import { todayIn } from '../calendar/zoned.js'
import type { Db, Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { yearCoverage } from '../platforms/rotation.js'
import { listCommunes } from '../platforms/store.js'
import { hostingHistory, listSessions, nextSessions } from '../sessions/store.js'
import { presentSession } from '../sessions/view.js'
import { page } from '../web/views.js'
import { ANSWER_KIND_LABELS, ANSWER_KINDS, glanceOf, summaryLine } from './glance.js'
import { glanceFacts } from './queries.js'

// The facilitator's home of one platform (GET /admin/p/{slug}): the next session at a glance (pitches and
// free slots, answers by kind, what failed to reach people), then the year's sessions and the territory's
// coverage. Registered in the platform scope (app.ts). Seven queries, whatever the data.

export async function dashboardRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  app.get('/', async (request, reply) => {
    const platform = platformOf(request)
    const now = ctx.clock()
    const today = todayIn(platform.timezone, now)
    const q = request.query as { year?: string; planned?: string }
    const year = /^\d{4}$/.test(q.year ?? '') ? Number(q.year) : Number(today.slice(0, 4))
    const [sessions, communes, history, next] = await Promise.all([
      listSessions(ctx.db, platform.id, { from: `${year}-01-01`, to: `${year}-12-31` }),
      listCommunes(ctx.db, platform.id),
      hostingHistory(ctx.db, platform.id),
      nextSessions(ctx.db, [platform.id], now.toISOString()),
    ])
    const facts = await glanceFacts(ctx.db, next.map((s) => s.id))
    const nextSession = next[0]
    return page(request, reply, 'admin/platform.eta', {
      title: platform.name, platform, year, today, coverage: yearCoverage(communes, history, year), base: platformBase(platform),
      sessions: sessions.map((s) => presentSession(platform, s, ctx.config.publicUrl, now)),
      drafts: sessions.filter((s) => s.status === 'draft').length,
      planned: /^\d{1,3}$/.test(q.planned ?? '') ? Number(q.planned) : null,
      next: nextSession ? { session: presentSession(platform, nextSession, ctx.config.publicUrl, now), slots: nextSession.pitch_slots, ...glanceOf(nextSession, facts) } : null,
      answerKinds: ANSWER_KINDS.map((k) => ({ key: k, label: ANSWER_KIND_LABELS[k] })),
    })
  })
}

/**
 * One line per platform for "Mes plateformes" (platforms/routes.ts, handed in by app.ts): its next session
 * and how it stands. Four queries for any number of platforms.
 */
export function platformSummaries(clock: () => Date) {
  return async (db: Db, platforms: Platform[]): Promise<Map<number, string>> => {
    const now = clock()
    const next = await nextSessions(db, platforms.map((p) => p.id), now.toISOString())
    const facts = await glanceFacts(db, next.map((s) => s.id))
    const byId = new Map(platforms.map((p) => [p.id, p]))
    const out = new Map<number, string>()
    for (const s of next) {
      const platform = byId.get(s.platform_id)
      if (!platform) continue
      const view = presentSession(platform, s, '', now)
      out.set(platform.id, `Prochaine séance : ${view.dateInSentence}, ${view.placeLabel} (${view.statusLabel.toLowerCase()}) — ${summaryLine(glanceOf(s, facts))}`)
    }
    return out
  }
}
