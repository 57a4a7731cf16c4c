import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { platformBase } from '../platforms/access.js'
import { listCommunes } from '../platforms/store.js'
import type { SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { onBehalfForm } from './admin-forms.js'
import { labels, openToFacilitator, pitchPages } from './admin-pages.js'
import { BookingClosedError, bookPitch } from './booking.js'
import { bookingRequest, communeNamed } from './forms.js'

// A booking the facilitator takes by phone, for someone with or without an email address (no booking deadline).
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function phoneBookingRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const { present, sessionOf } = pitchPages(ctx)

  async function renderNew(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/session-pitches.eta', {
      title: 'Ajouter une présentation', adding: true, platform, base: platformBase(platform), session: present(platform, session),
      bookable: openToFacilitator(ctx.clock())(session), communes: await listCommunes(ctx.db, platform.id), values, errors, ...labels,
    }, status)
  }

  app.get('/sessions/:date/pitches/new', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    return renderNew(request, reply, c.platform, c.session, { attendance: 'on_site' }, {})
  })

  app.post('/sessions/:date/pitches/new', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session } = c
    const isOpen = openToFacilitator(ctx.clock())
    if (!isOpen(session)) return renderNew(request, reply, platform, session, request.body as Record<string, unknown>, {}, 409)
    const form = parseForm(onBehalfForm, request.body)
    const communes = await listCommunes(ctx.db, platform.id)
    const commune = form.ok ? communeNamed(communes, form.data.commune) : null
    if (!form.ok || commune === undefined) {
      const errors = form.ok ? {} : form.errors
      if (commune === undefined) errors.commune = 'Choisissez une commune de la liste (ou laissez vide).'
      return renderNew(request, reply, platform, session, form.values, errors, 400)
    }
    try {
      const result = await bookPitch(ctx, platform, session.id, bookingRequest(form.data, commune?.id ?? null), isOpen)
      const done = result.existing ? 'existing' : form.data.holder_email ? 'added' : 'added-proxy'
      return reply.redirect(`${platformBase(platform)}/sessions/${session.date}/pitches?done=${done}#pitch-${result.pitchId}`, 303)
    } catch (error) {
      if (error instanceof BookingClosedError) return renderNew(request, reply, platform, session, form.values, {}, 409)
      throw error
    }
  })

}
