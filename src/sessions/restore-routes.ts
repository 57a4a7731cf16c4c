import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { inSentence } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { notFound } from '../web/errors.js'
import { page } from '../web/views.js'
import { cancellationState, restoreAudience, restoreSession } from './restore.js'
import { findSessionByDate, type SessionRow } from './store.js'
import { presentSession } from './view.js'

// "Rétablir la séance…" (#24 §6): a page that says what will be sent to whom (writes nothing), then the POST.
// Registered by sessionAdminRoutes, in the platform scope (/admin/p/{slug}).

export async function sessionRestoreRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, error: string | null, status: number) {
    const now = ctx.clock()
    const view = presentSession(platform, session, ctx.config.publicUrl, now)
    const state = await cancellationState(ctx.db, session, now)
    const audience = state.refusal ? { silent: [], told: [] } : await restoreAudience(ctx, session)
    return page(request, reply, 'admin/confirm-restore.eta', {
      title: `Rétablir la séance du ${inSentence(view.longDate)} ?`, platform, base: platformBase(platform), session: view,
      state, ...audience, draft: session.cancelled_from === 'draft', error: error ?? state.refusal,
    }, status)
  }

  app.get('/sessions/:date/restore', async (request, reply) => {
    const platform = platformOf(request)
    const session = await findSessionByDate(ctx.db, platform.id, (request.params as { date: string }).date)
    if (!session) return notFound(request, reply)
    return render(request, reply, platform, session, null, 200)
  })

  app.post('/sessions/:date/restore', async (request, reply) => {
    const platform = platformOf(request)
    const session = await findSessionByDate(ctx.db, platform.id, (request.params as { date: string }).date)
    if (!session) return notFound(request, reply)
    const restored = await restoreSession(ctx, platform, session.id)
    if (!restored) return render(request, reply, platform, session, null, 409)
    return reply.redirect(`${platformBase(platform)}/sessions/${session.date}?restored=${restored.requests}&withdrawn=${restored.withdrawn}`, 303)
  })
}
