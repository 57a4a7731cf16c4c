import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { addDays, isValidDate, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { findPlatform, findPlatformBySlug, listCommunes } from '../platforms/store.js'
import { presentSession } from '../sessions/present.js'
import { findSessionByDate, findSessionById, listSessions, type SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { bookingLimits } from '../web/security.js'
import { page } from '../web/views.js'
import { hashToken, looksLikeToken } from '../web/tokens.js'
import { BookingClosedError, bookPitch, changePitch, pitchToken, slotTime } from './booking.js'
import { ATTENDANCE, bookingForm, bookingRequest, communeNamed, DOMAINS, HOLDER_KINDS, initiativeEditForm, moveRequestForm, NEEDS, rebookForm, STAGES } from './forms.js'
import { findHolder, findPitchByTokenHash, holderInitiatives, type PitchDetails } from './store.js'
import { bookingOpen } from './waiting-list.js'

// Holders: the public booking form, and their own page behind the link in their emails.

const choices = { DOMAINS, NEEDS, STAGES, HOLDER_KINDS, ATTENDANCE }
const tokenLimit = { rateLimit: { max: 30, timeWindow: '1 minute' } }

declare module 'fastify' {
  interface FastifyRequest {
    pitch: PitchDetails | null
  }
}

export async function pitchRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  app.decorateRequest('pitch', null)

  const open = (platform: Platform) => (s: Pick<SessionRow, 'status' | 'date'>) =>
    bookingOpen(s, todayIn(platform.timezone, ctx.clock()), platform.booking_close_days, addDays)

  async function target(request: FastifyRequest) {
    const { platform: slug, date } = request.params as { platform: string; date: string }
    const platform = await findPlatformBySlug(ctx.db, slug)
    const session = platform && isValidDate(date) ? await findSessionByDate(ctx.db, platform.id, date) : undefined
    if (!platform || !session || session.status === 'draft') return null
    return { platform, session }
  }

  async function renderBooking(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    const communes = await listCommunes(ctx.db, platform.id)
    return page(request, reply, 'public/pitch-form.eta', {
      title: `Présenter une initiative — ${view.longDate}`, siteName: platform.name, homeHref: `/${platform.slug}`,
      platform, session: view, open: open(platform)(session), values, errors, communes, ...choices,
      action: `/${platform.slug}/sessions/${session.date}/pitch`,
    }, status)
  }

  app.get('/:platform/sessions/:date/pitch', async (request, reply) => {
    const t = await target(request)
    if (!t) return notFound(request, reply)
    return renderBooking(request, reply, t.platform, t.session, { attendance: 'on_site' }, {})
  })

  app.post('/:platform/sessions/:date/pitch', bookingLimits(app), async (request, reply) => {
    const t = await target(request)
    if (!t) return notFound(request, reply)
    const { platform, session } = t
    if (!open(platform)(session)) return renderBooking(request, reply, platform, session, request.body as Record<string, unknown>, {}, 409)
    const form = parseForm(bookingForm, request.body)
    // The commune list is only read when one was typed (living outside the territory leaves it empty).
    const commune = form.ok && form.data.commune ? communeNamed(await listCommunes(ctx.db, platform.id), form.data.commune) : null
    if (!form.ok || commune === undefined) {
      const errors = form.ok ? {} : form.errors
      if (commune === undefined) errors.commune = 'Choisissez votre commune dans la liste (ou laissez vide si vous habitez hors du territoire).'
      return renderBooking(request, reply, platform, session, form.values, errors, 400)
    }
    try {
      const result = await bookPitch(ctx, platform, session.id, bookingRequest(form.data, commune?.id ?? null), open(platform))
      return reply.redirect(`/pitch/${result.token}`, 303)
    } catch (error) {
      if (error instanceof BookingClosedError) return renderBooking(request, reply, platform, session, form.values, {}, 409)
      throw error
    }
  })

  // The holder's link: unknown or altered tokens are 404 before anything else (and before CSRF).
  async function loadPitch(request: FastifyRequest, reply: FastifyReply) {
    const { token } = request.params as { token: string }
    const pitch = looksLikeToken(token) ? await findPitchByTokenHash(ctx.db, hashToken(token)) : undefined
    if (!pitch) return notFound(request, reply)
    request.pitch = pitch
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex')
  }

  async function renderHolder(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown> | null, errors: FieldErrors, status = 200, notice: string | null = null) {
    const pitch = request.pitch!
    const session = (await findSessionById(ctx.db, pitch.session_id))!
    const platform = await findPlatform(ctx.db, session.platform_id)
    const isOpen = open(platform)(session)
    const later = isOpen || pitch.status === 'withdrawn' || pitch.status === 'declined'
      ? (await listSessions(ctx.db, platform.id, { from: addDays(session.date, 1), statuses: ['published'] })).filter(open(platform))
      : []
    const token = pitchToken(ctx, pitch)
    const initiatives = await holderInitiatives(ctx.db, pitch.holder_id)
    const openSessions = (await listSessions(ctx.db, platform.id, { from: todayIn(platform.timezone, ctx.clock()), statuses: ['published'] })).filter(open(platform))
    return page(request, reply, 'public/pitch.eta', {
      initiatives, openSessions: openSessions.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())),
      title: 'Ma présentation', siteName: platform.name, homeHref: `/${platform.slug}`, noindex: true,
      platform, pitch, session: presentSession(platform, session, ctx.config.publicUrl, ctx.clock()),
      slot: await slotTime(ctx.db, session, pitch.id), editable: isOpen && pitch.status !== 'withdrawn' && pitch.status !== 'declined',
      later: later.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())),
      values: values ?? { initiative_title: pitch.title, initiative_summary: pitch.summary, domain: pitch.domain, needs: pitch.needs ? pitch.needs.split(',') : [], stage: pitch.stage, public_title: pitch.public_title ? 'yes' : '', attendance: pitch.attendance_mode },
      errors, notice, action: `/pitch/${token}`, ...choices,
    }, status)
  }

  app.get('/pitch/:token', { config: tokenLimit, preHandler: loadPitch }, async (request, reply) => {
    const q = request.query as { done?: string }
    const notices: Record<string, string> = { edit: 'Vos modifications sont enregistrées.', withdraw: 'Votre présentation est retirée.', move: 'Votre demande de changement de séance est enregistrée.' }
    return renderHolder(request, reply, null, {}, 200, notices[q.done ?? ''] ?? null)
  })

  app.post('/pitch/:token', { config: tokenLimit, preHandler: loadPitch }, async (request, reply) => {
    const pitch = request.pitch!
    const session = (await findSessionById(ctx.db, pitch.session_id))!
    const platform = await findPlatform(ctx.db, session.platform_id)
    const action = (request.body as Record<string, unknown>)?.action
    const isOpen = open(platform)(session)
    if (action === 'withdraw') {
      if (pitch.status !== 'withdrawn' && pitch.status !== 'declined') await changePitch(ctx, platform, pitch.id, { kind: 'withdraw' })
      return reply.redirect(`/pitch/${pitchToken(ctx, pitch)}?done=withdraw`, 303)
    }
    if (action === 'edit') {
      if (!isOpen || pitch.status === 'withdrawn' || pitch.status === 'declined') {
        return renderHolder(request, reply, request.body as Record<string, unknown>, { _form: 'Les inscriptions à cette séance sont closes : contactez l’animatrice pour tout changement.' }, 409)
      }
      const form = parseForm(initiativeEditForm, request.body)
      if (!form.ok) return renderHolder(request, reply, form.values, form.errors, 400)
      const d = form.data
      const now = ctx.clock().toISOString()
      await ctx.db.transaction().execute(async (trx) => {
        await trx.updateTable('initiative').set({ title: d.initiative_title, summary: d.initiative_summary, domain: d.domain, needs: d.needs.join(','), stage: d.stage, updated_at: now }).where('id', '=', pitch.initiative_id).execute()
        await trx.updateTable('pitch').set({ public_title: d.public_title ? 1 : 0, attendance_mode: d.attendance, updated_at: now }).where('id', '=', pitch.id).execute()
      })
      return reply.redirect(`/pitch/${pitchToken(ctx, pitch)}?done=edit`, 303)
    }
    if (action === 'move') {
      const form = parseForm(moveRequestForm, request.body)
      const targetSession = form.ok ? await findSessionByDate(ctx.db, platform.id, form.data.session_date) : undefined
      if (!form.ok || !targetSession || targetSession.date <= session.date || !open(platform)(targetSession)) {
        return renderHolder(request, reply, null, { session_date: 'Choisissez une des séances proposées.' }, 400)
      }
      try {
        await changePitch(ctx, platform, pitch.id, { kind: 'move', toSessionId: targetSession.id })
      } catch (error) {
        if (error instanceof BookingClosedError) return renderHolder(request, reply, null, { session_date: 'Vous êtes déjà inscrit·e à cette séance.' }, 409)
        throw error
      }
      return reply.redirect(`/pitch/${pitchToken(ctx, pitch)}?done=move`, 303)
    }
    if (action === 'rebook') {
      // A returning holder picks one of their initiatives and a session: a new booking, with its own link.
      const form = parseForm(rebookForm, request.body)
      const mine = form.ok ? (await holderInitiatives(ctx.db, pitch.holder_id)).find((i) => i.id === form.data.initiative_id) : undefined
      const target = form.ok ? await findSessionByDate(ctx.db, platform.id, form.data.session_date) : undefined
      if (!form.ok || !mine || !target || !open(platform)(target)) {
        return renderHolder(request, reply, null, { rebook: 'Choisissez une de vos initiatives et une des réunions proposées.' }, 400)
      }
      const holder = await findHolder(ctx.db, pitch.holder_id)
      const result = await bookPitch(ctx, platform, target.id, {
        holder: { name: holder.name, email: holder.email!, phone: holder.phone, kind: holder.kind, commune_id: holder.commune_id },
        initiative: { title: mine.title, summary: mine.summary, domain: mine.domain, needs: mine.needs ? mine.needs.split(',') : [], stage: mine.stage, commune_id: mine.commune_id },
        attendance: pitch.attendance_mode, publicTitle: pitch.public_title === 1,
      }, open(platform))
      return reply.redirect(`/pitch/${result.token}`, 303)
    }
    return renderHolder(request, reply, null, { _form: 'Action inconnue.' }, 400)
  })
}
