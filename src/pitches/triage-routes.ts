import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatShortDate } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase } from '../platforms/access.js'
import { findSessionByDate, type SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { PITCH_ACTIONS, pitchActionForm, STATUS_LABELS } from './admin-forms.js'
import { labels, openToFacilitator, pitchPages, when } from './admin-pages.js'
import { BookingClosedError, changePitch } from './booking.js'
import { NEEDS } from './forms.js'
import { addressConfirmed } from './holds.js'
import { replaceHolderFeed } from './links.js'
import { reorderHeld } from './programme.js'
import type { PitchDetails } from './store.js'

// The facilitator's triage of a session's pitches: confirm, decline, move, waiting list, order, a new feed link.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function pitchTriageRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const { present, sessionOf, pitchOf, moveTargets, programme } = pitchPages(ctx)

  interface Problem { pitchId?: number; message: string }

  async function renderPitches(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, problem: Problem | null = null, status = 200) {
    const { rows, held, slotOf } = await programme(session)
    const free = Math.max(0, session.pitch_slots - held.length)
    const stamp = when(platform)
    const view = (p: PitchDetails) => ({
      ...p,
      bookedAt: stamp(p.created_at),
      // A booking from the public form whose holder has not confirmed from the email yet: "en attente de confirmation".
      holdUntil: addressConfirmed(p) ? null : p.hold_until ? stamp(p.hold_until) : '',
      slot: slotOf.get(p.id) ?? null,
      needList: p.needs ? p.needs.split(',').map((n) => NEEDS[n as keyof typeof NEEDS] ?? n) : [],
      // Up and down among held pitches; "confirm" for a waiting one only while a slot is free.
      actions: PITCH_ACTIONS[p.status].filter((a) => (a !== 'up' || held[0]?.id !== p.id) && (a !== 'down' || held.at(-1)?.id !== p.id)
        && (a !== 'confirm' || ((p.status !== 'waiting' || free > 0) && addressConfirmed(p)))),
    })
    const byArrival = (a: PitchDetails, b: PitchDetails) => a.created_at.localeCompare(b.created_at) || a.id - b.id
    const groups = [
      { key: 'pending', title: 'En attente de validation', empty: 'Aucune demande à valider.', pitches: held.filter((p) => p.status === 'pending') },
      { key: 'confirmed', title: 'Confirmées', empty: 'Aucune présentation confirmée.', pitches: held.filter((p) => p.status === 'confirmed') },
      { key: 'waiting', title: "Liste d'attente", empty: "Personne sur la liste d'attente.", pitches: rows.filter((p) => p.status === 'waiting').sort(byArrival) },
      { key: 'closed', title: 'Retirées ou refusées', empty: 'Aucune.', pitches: rows.filter((p) => p.status === 'withdrawn' || p.status === 'declined').sort((a, b) => b.updated_at.localeCompare(a.updated_at)) },
    ].map((g) => ({ ...g, pitches: g.pitches.map(view) }))
    return page(request, reply, 'admin/session-pitches.eta', {
      title: 'Présentations', platform, base: platformBase(platform), session: present(platform, session), groups, problem,
      slots: session.pitch_slots, free, targets: await moveTargets(platform, session),
      bookable: openToFacilitator(ctx.clock())(session), query: request.query ?? {}, ...labels,
    }, status)
  }

  app.get('/sessions/:date/pitches', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    return renderPitches(request, reply, c.platform, c.session)
  })

  app.post('/sessions/:date/pitches/:id', async (request, reply) => {
    const c = await pitchOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session, pitch } = c
    const form = parseForm(pitchActionForm, request.body)
    if (!form.ok) return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: Object.values(form.errors)[0]! }, 400)
    const d = form.data
    if (d.action === 'feed') {
      await replaceHolderFeed(ctx, pitch.holder_id)
      return reply.redirect(`${platformBase(platform)}/sessions/${session.date}/pitches?done=feed#pitch-${pitch.id}`, 303)
    }
    if (!PITCH_ACTIONS[pitch.status].includes(d.action)) {
      return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: `Cette action n'est plus possible : la présentation est « ${STATUS_LABELS[pitch.status]} ».` }, 409)
    }
    const back = `${platformBase(platform)}/sessions/${session.date}/pitches?done=${d.action}`
    switch (d.action) {
      case 'up':
      case 'down':
        await reorderHeld(ctx, platform, session, pitch.id, d.action)
        break
      case 'confirm': {
        if (!addressConfirmed(pitch)) {
          return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: "La personne n'a pas encore confirmé sa réservation depuis l'e-mail reçu : vous pourrez la valider ensuite." }, 409)
        }
        const after = await changePitch(ctx, platform, pitch.id, { kind: 'confirm' })
        if (after.status !== 'confirmed') {
          return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: "Aucun créneau libre : libérez-en un d'abord, ou ajoutez un créneau au déroulé." }, 409)
        }
        break
      }
      case 'decline':
        await changePitch(ctx, platform, pitch.id, { kind: 'decline', message: d.message })
        break
      case 'waitlist':
        await changePitch(ctx, platform, pitch.id, { kind: 'waitlist' })
        break
      case 'move': {
        const targets = await moveTargets(platform, session)
        const target = targets.some((t) => t.date === d.session_date) ? await findSessionByDate(ctx.db, platform.id, d.session_date) : undefined
        if (!target) return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: 'Choisissez une des séances proposées.' }, 400)
        try {
          await changePitch(ctx, platform, pitch.id, { kind: 'move', toSessionId: target.id })
        } catch (error) {
          if (!(error instanceof BookingClosedError)) throw error
          return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: `${pitch.holder_name} a déjà une inscription à la séance du ${formatShortDate(target.date)}.` }, 409)
        }
        return reply.redirect(`${back}&to=${target.date}`, 303)
      }
    }
    return reply.redirect(`${back}#pitch-${pitch.id}`, 303)
  })
}
