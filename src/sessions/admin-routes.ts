import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { inSentence, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { rotationOrder } from '../platforms/rotation.js'
import { listCommunes, listVenues } from '../platforms/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { applySessionChange } from './changes.js'
import { sessionForm, visioForm } from './forms.js'
import { crossCheck, placeOf } from './placement.js'
import { findSessionByDate, hostingHistory, insertSession, listAgenda, type SessionRow } from './store.js'
import { audienceSentence, cancelAudience } from './confirm.js'
import { presentSession } from './view.js'
import { cancellationState } from './restore.js'
import { sessionRestoreRoutes } from './restore-routes.js'

// The facilitator's sessions: add one, adjust it, publish, move, cancel, go remote (the year's plan: plan-routes.ts).
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function sessionAdminRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const uidHost = new URL(ctx.config.publicUrl).hostname
  await app.register(sessionRestoreRoutes)

  /** The session named by the URL's :date on the scope's platform. */
  function sessionOf(request: FastifyRequest, platform: Platform) {
    const { date } = request.params as { date: string }
    return findSessionByDate(ctx.db, platform.id, date)
  }


  async function renderSession(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow | undefined, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const date = typeof values.date === 'string' && values.date ? values.date : todayIn(platform.timezone, ctx.clock())
    const [communes, venues, history, agenda] = await Promise.all([
      listCommunes(ctx.db, platform.id),
      listVenues(ctx.db, platform.id),
      hostingHistory(ctx.db, platform.id),
      session ? listAgenda(ctx.db, session.id) : Promise.resolve([]),
    ])
    // A cancelled session says whether its cancellations left, and offers "Rétablir la séance…" (restore.ts).
    const cancellation = session?.status === 'cancelled' ? await cancellationState(ctx.db, session, ctx.clock()) : null
    const others = history.filter((h) => h.date !== session?.date)
    return page(request, reply, 'admin/session.eta', {
      title: session ? `Séance du ${inSentence(presentSession(platform, session, ctx.config.publicUrl, ctx.clock()).longDate)}` : 'Ajouter une séance',
      platform, base: platformBase(platform), values, errors, agenda,
      session: session ? presentSession(platform, session, ctx.config.publicUrl, ctx.clock()) : null,
      rotation: rotationOrder(communes, others, date, session?.commune_id ?? null), venues, cancellation, query: request.query,
    }, status)
  }

  const valuesOf = (s: SessionRow) => ({
    date: s.date, start_time: s.start_time, end_time: s.end_time, commune_id: s.commune_id ? String(s.commune_id) : '',
    venue_id: s.venue_id ? String(s.venue_id) : '', mode: s.mode, video_url: s.video_url ?? '', notes: s.notes ?? '',
  })

  app.get('/sessions/new', async (request, reply) => {
    const platform = platformOf(request)
    return renderSession(request, reply, platform, undefined, { start_time: platform.default_start, end_time: platform.default_end, mode: 'in_person' }, {})
  })

  app.get('/sessions/:date', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    return renderSession(request, reply, platform, session, valuesOf(session), {})
  })

  /** What the form's cross-checks look at (placement.ts): the session of that day, the communes, the venues. */
  async function placementFacts(platform: Platform, data: { date: string; venue_id: number | null }) {
    const [sameDay, communes, venues] = await Promise.all([
      findSessionByDate(ctx.db, platform.id, data.date),
      listCommunes(ctx.db, platform.id),
      data.venue_id !== null ? listVenues(ctx.db, platform.id) : Promise.resolve([]),
    ])
    return { sameDay, communes, venues }
  }

  app.post('/sessions', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(sessionForm, request.body)
    if (!form.ok) return renderSession(request, reply, platform, undefined, form.values, form.errors, 400)
    const facts = await placementFacts(platform, form.data)
    const errors = crossCheck(platform.default_video_url, form.data, facts, null)
    if (Object.keys(errors).length) return renderSession(request, reply, platform, undefined, form.values, errors, 400)
    const d = form.data
    const place = placeOf(facts.venues, d.commune_id, d.venue_id)
    await ctx.db.transaction().execute((trx) => insertSession(trx, platform, {
      date: d.date, start_time: d.start_time, end_time: d.end_time, ...place, mode: d.mode,
      video_url: d.mode === 'in_person' ? d.video_url : d.video_url ?? platform.default_video_url,
      status: 'draft', notes: d.notes, moved_because: null,
    }, uidHost, ctx.clock().toISOString()))
    return reply.redirect(`${platformBase(platform)}/sessions/${d.date}`, 303)
  })

  app.post('/sessions/:date', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    const form = parseForm(sessionForm, request.body)
    if (!form.ok) return renderSession(request, reply, platform, session, form.values, form.errors, 400)
    const facts = await placementFacts(platform, form.data)
    const errors = crossCheck(platform.default_video_url, form.data, facts, session.id)
    if (Object.keys(errors).length) return renderSession(request, reply, platform, session, form.values, errors, 400)
    const d = form.data
    const place = placeOf(facts.venues, d.commune_id, d.venue_id)
    await applySessionChange(ctx, platform, session.id, {
      date: d.date, start_time: d.start_time, end_time: d.end_time, ...place, mode: d.mode,
      video_url: d.mode === 'in_person' ? d.video_url : d.video_url ?? platform.default_video_url,
      notes: d.notes,
      // The facilitator chose this date: the holiday note no longer applies.
      moved_because: d.date === session.date ? session.moved_because : null,
    })
    return reply.redirect(`${platformBase(platform)}/sessions/${d.date}?saved=1`, 303)
  })

  app.post('/sessions/:date/publish', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    if (session.status === 'draft') await applySessionChange(ctx, platform, session.id, { status: 'published' })
    return reply.redirect(`${platformBase(platform)}/sessions/${session.date}`, 303)
  })

  // "Annuler la séance" first asks, on a page that says who will receive a cancellation (writes nothing).
  app.get('/sessions/:date/cancel', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    const audience = cancelAudience(session.status === 'cancelled' ? [] : await ctx.attendees(ctx.db, session.id))
    return page(request, reply, 'admin/confirm-cancel.eta', {
      title: `Annuler la séance du ${inSentence(view.longDate)} ?`, platform, base: platformBase(platform), session: view,
      ...audience, sentence: audienceSentence(audience.partners.length, audience.holders.length),
      graceMinutes: Math.ceil(ctx.config.undoGraceSeconds / 60),
    })
  })

  // The confirmation page's form sends confirm=yes; a POST without it still cancels (as it always has).
  app.post('/sessions/:date/cancel', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    if (session.status !== 'cancelled') await applySessionChange(ctx, platform, session.id, { status: 'cancelled' })
    return reply.redirect(`${platformBase(platform)}/sessions/${session.date}`, 303)
  })

  // "Basculer en visio": one click, with the platform's default link or the one typed beside the button.
  app.post('/sessions/:date/visio', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    if (session.status === 'cancelled') {
      return renderSession(request, reply, platform, session, valuesOf(session), { video_url: 'Cette séance est annulée : elle ne peut plus passer en visio.' }, 409)
    }
    const form = parseForm(visioForm, request.body)
    const url = (form.ok ? form.data.video_url : null) ?? session.video_url ?? platform.default_video_url
    if (!form.ok || !url) {
      return renderSession(request, reply, platform, session, valuesOf(session),
        { video_url: form.ok ? 'Indiquez le lien de visioconférence (https://…).' : form.errors.video_url ?? 'Lien invalide.' }, 400)
    }
    await applySessionChange(ctx, platform, session.id, { mode: 'videoconference', video_url: url })
    return reply.redirect(`${platformBase(platform)}/sessions/${session.date}`, 303)
  })
}
