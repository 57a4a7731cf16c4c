import type { FastifyInstance } from 'fastify'
import { platformBase, platformOf } from '../platforms/access.js'
import { ID, labels } from '../pitches/admin-pages.js'
import { findInitiative } from '../pitches/initiatives.js'
import { notFound } from '../web/errors.js'
import { page } from '../web/views.js'
import { journeyFacts } from './queries.js'
import { buildJourney, journeySummary } from './timeline.js'

// One initiative's journey (parcours) for facilitators: every pitch across sessions, the advice received,
// referrals with each status change, stage changes, and the holders attached — an idea without a holder too.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function journeyRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  app.get('/initiatives/:id/parcours', async (request, reply) => {
    const platform = platformOf(request)
    const { id } = request.params as { id: string }
    const initiative = ID.test(id) ? await findInitiative(ctx.db, platform.id, Number(id)) : undefined
    if (!initiative) return notFound(request, reply)
    const base = platformBase(platform)
    // A merged duplicate's journey is the one it joined.
    if (initiative.merged_into_id) return reply.redirect(`${base}/initiatives/${initiative.merged_into_id}/parcours`, 302)
    const facts = await journeyFacts(ctx.db, initiative)
    return page(request, reply, 'admin/journey.eta', {
      title: `Parcours — ${initiative.title}`, platform, base, initiative, summary: journeySummary(facts),
      entries: buildJourney(facts, { kind: 'facilitator' }, platform.timezone, ctx.clock().toISOString()), ...labels,
    })
  })
}
