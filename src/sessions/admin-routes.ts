import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { inSentence, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformOf } from '../platforms/access.js'
import { rotationOrder, yearCoverage } from '../platforms/rotation.js'
import { homePlace, listCommunes, listVenues } from '../platforms/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { applySessionChange } from './changes.js'
import { MONTHS, planForm, sessionForm, visioForm, yearForm } from './forms.js'
import { draftSessions, usualSkipMonths } from './planning.js'
import { presentSession } from './view.js'
import { findSessionByDate, hostingHistory, insertSession, listAgenda, listSessions, type SessionRow } from './store.js'

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

  const base = (p: Platform) => `/admin/p/${encodeURIComponent(p.slug)}`

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
      title: platform.name, platform, year, today, coverage, base: base(platform),
      sessions: sessions.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())),
      drafts: sessions.filter((s) => s.status === 'draft').length,
    })
  })

  function renderPlan(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/plan.eta', { title: "Planifier l'année", platform, base: base(platform), values, errors, months: MONTHS }, status)
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
    return reply.redirect(`${base(platform)}?year=${year}`, 303)
  })

  app.post('/publish', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(yearForm, request.body)
    if (!form.ok) return reply.redirect(base(platform), 303)
    const { year } = form.data
    await ctx.db.updateTable('session').set({ status: 'published', updated_at: ctx.clock().toISOString() })
      .where('platform_id', '=', platform.id).where('status', '=', 'draft')
      .where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).execute()
    return reply.redirect(`${base(platform)}?year=${year}`, 303)
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
      platform, base: base(platform), values, errors, agenda,
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

  /** Checks that go beyond one field: the place belongs to this platform, one session per day, a link for visio. */
  async function crossCheck(platform: Platform, data: { date: string; commune_id: number | null; venue_id: number | null; mode: string; video_url: string | null }, currentId: number | null) {
    const errors: FieldErrors = {}
    const other = await findSessionByDate(ctx.db, platform.id, data.date)
    if (other && other.id !== currentId) errors.date = 'Une séance existe déjà ce jour-là.'
    const communes = await listCommunes(ctx.db, platform.id)
    if (data.commune_id !== null && !communes.some((c) => c.id === data.commune_id)) errors.commune_id = 'Commune inconnue.'
    if (data.venue_id !== null) {
      const venue = (await listVenues(ctx.db, platform.id)).find((v) => v.id === data.venue_id)
      if (!venue) errors.venue_id = 'Lieu inconnu.'
      else if (data.commune_id !== null && venue.commune_id !== data.commune_id) errors.venue_id = "Ce lieu n'est pas dans la commune choisie."
    }
    if (data.mode !== 'in_person' && !data.video_url && !platform.default_video_url) {
      errors.video_url = 'Indiquez le lien de visioconférence (https://…).'
    }
    return errors
  }

  async function placeOf(platform: Platform, commune_id: number | null, venue_id: number | null) {
    if (venue_id !== null && commune_id === null) {
      const venue = (await listVenues(ctx.db, platform.id)).find((v) => v.id === venue_id)
      return { commune_id: venue?.commune_id ?? null, venue_id }
    }
    return { commune_id, venue_id }
  }

  app.post('/sessions', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(sessionForm, request.body)
    if (!form.ok) return renderSession(request, reply, platform, undefined, form.values, form.errors, 400)
    const errors = await crossCheck(platform, form.data, null)
    if (Object.keys(errors).length) return renderSession(request, reply, platform, undefined, form.values, errors, 400)
    const d = form.data
    const place = await placeOf(platform, d.commune_id, d.venue_id)
    await ctx.db.transaction().execute((trx) => insertSession(trx, platform, {
      date: d.date, start_time: d.start_time, end_time: d.end_time, ...place, mode: d.mode,
      video_url: d.mode === 'in_person' ? d.video_url : d.video_url ?? platform.default_video_url,
      status: 'draft', notes: d.notes, moved_because: null,
    }, uidHost, ctx.clock().toISOString()))
    return reply.redirect(`${base(platform)}/sessions/${d.date}`, 303)
  })

  app.post('/sessions/:date', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    const form = parseForm(sessionForm, request.body)
    if (!form.ok) return renderSession(request, reply, platform, session, form.values, form.errors, 400)
    const errors = await crossCheck(platform, form.data, session.id)
    if (Object.keys(errors).length) return renderSession(request, reply, platform, session, form.values, errors, 400)
    const d = form.data
    const place = await placeOf(platform, d.commune_id, d.venue_id)
    await applySessionChange(ctx, platform, session.id, {
      date: d.date, start_time: d.start_time, end_time: d.end_time, ...place, mode: d.mode,
      video_url: d.mode === 'in_person' ? d.video_url : d.video_url ?? platform.default_video_url,
      notes: d.notes,
      // The facilitator chose this date: the holiday note no longer applies.
      moved_because: d.date === session.date ? session.moved_because : null,
    })
    return reply.redirect(`${base(platform)}/sessions/${d.date}?saved=1`, 303)
  })

  app.post('/sessions/:date/publish', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    if (session.status === 'draft') await applySessionChange(ctx, platform, session.id, { status: 'published' })
    return reply.redirect(`${base(platform)}/sessions/${session.date}`, 303)
  })

  app.post('/sessions/:date/cancel', async (request, reply) => {
    const platform = platformOf(request)
    const session = await sessionOf(request, platform)
    if (!session) return notFound(request, reply)
    if (session.status !== 'cancelled') await applySessionChange(ctx, platform, session.id, { status: 'cancelled' })
    return reply.redirect(`${base(platform)}/sessions/${session.date}`, 303)
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
    return reply.redirect(`${base(platform)}/sessions/${session.date}`, 303)
  })
}
