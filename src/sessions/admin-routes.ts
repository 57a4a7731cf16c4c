import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { inSentence, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { rotationOrder, yearCoverage } from '../platforms/rotation.js'
import { homePlace, listCommunes, listVenues } from '../platforms/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { applySessionChange } from './changes.js'
import { MONTHS, planForm, sessionForm, visioForm, yearForm } from './forms.js'
import { draftSessions, usualSkipMonths } from './planning.js'
import { crossCheck, placeOf } from './placement.js'
import { findSessionByDate, hostingHistory, insertSession, listAgenda, listSessions, publishYear, type SessionRow } from './store.js'
import { presentSession } from './view.js'

// The facilitator's calendar: plan a year from the rule, adjust each session, publish, move, cancel, go remote.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function sessionAdminRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const uidHost = new URL(ctx.config.publicUrl).hostname

  /** The session named by the URL's :date on the scope's platform. */
  function sessionOf(request: FastifyRequest, platform: Platform) {
    const { date } = request.params as { date: string }
    return findSessionByDate(ctx.db, platform.id, date)
  }


  app.get('/', async (request, reply) => {
    const platform = platformOf(request)
    const today = todayIn(platform.timezone, ctx.clock())
    const q = request.query as { year?: string }
    const year = /^\d{4}$/.test(q.year ?? '') ? Number(q.year) : Number(today.slice(0, 4))
    const [sessions, communes, history] = await Promise.all([
      listSessions(ctx.db, platform.id, { from: `${year}-01-01`, to: `${year}-12-31` }),
      listCommunes(ctx.db, platform.id),
      hostingHistory(ctx.db, platform.id),
    ])
    const coverage = yearCoverage(communes, history, year)
    return page(request, reply, 'admin/platform.eta', {
      title: platform.name, platform, year, today, coverage, base: platformBase(platform),
      sessions: sessions.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())),
      drafts: sessions.filter((s) => s.status === 'draft').length,
    })
  })

  function renderPlan(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/plan.eta', { title: "Planifier l'année", platform, base: platformBase(platform), values, errors, months: MONTHS }, status)
  }

  app.get('/plan', async (request, reply) => {
    const platform = platformOf(request)
    const nextYear = Number(todayIn(platform.timezone, ctx.clock()).slice(0, 4)) + 1
    return renderPlan(request, reply, platform, {
      year: String(nextYear), skip: usualSkipMonths(platform), start_time: platform.default_start, end_time: platform.default_end,
    }, {})
  })

  app.post('/plan', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(planForm, request.body)
    if (!form.ok) return renderPlan(request, reply, platform, form.values, form.errors, 400)
    const { year, skip, start_time, end_time } = form.data
    const now = ctx.clock().toISOString()
    await ctx.db.transaction().execute(async (trx) => {
      const existing = await listSessions(trx, platform.id, { from: `${year}-01-01`, to: `${year}-12-31` })
      const home = await homePlace(trx, platform) // a platform that always meets at its own venue
      const drafts = draftSessions(platform, { year, skipMonths: skip.map(Number), start: start_time, end: end_time }, new Set(existing.map((s) => s.date)), home)
      for (const d of drafts) await insertSession(trx, platform, d, uidHost, now)
    })
    return reply.redirect(`${platformBase(platform)}?year=${year}`, 303)
  })

  app.post('/publish', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(yearForm, request.body)
    if (!form.ok) return reply.redirect(platformBase(platform), 303)
    const { year } = form.data
    await publishYear(ctx.db, platform.id, year, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}?year=${year}`, 303)
  })

  async function renderSession(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow | undefined, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const date = typeof values.date === 'string' && values.date ? values.date : todayIn(platform.timezone, ctx.clock())
    const [communes, venues, history, agenda] = await Promise.all([
      listCommunes(ctx.db, platform.id),
      listVenues(ctx.db, platform.id),
      hostingHistory(ctx.db, platform.id),
      session ? listAgenda(ctx.db, session.id) : Promise.resolve([]),
    ])
    const others = history.filter((h) => h.date !== session?.date)
    return page(request, reply, 'admin/session.eta', {
      title: session ? `Séance du ${inSentence(presentSession(platform, session, ctx.config.publicUrl, ctx.clock()).longDate)}` : 'Ajouter une séance',
      platform, base: platformBase(platform), values, errors, agenda,
      session: session ? presentSession(platform, session, ctx.config.publicUrl, ctx.clock()) : null,
      rotation: rotationOrder(communes, others, date), venues,
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
