import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import { formatShortDate, formatTime, formatTimeRange, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformOf } from '../platforms/access.js'
import { listCommunes } from '../platforms/store.js'
import { timeAgenda } from '../sessions/agenda.js'
import { presentSession } from '../sessions/view.js'
import { findSessionByDate, listAgenda, listSessions, type SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { agendaForm, attachHolderForm, ideaForm, mergeForm, onBehalfForm, PITCH_ACTIONS, pitchActionForm, STATUS_LABELS } from './admin-forms.js'
import { AGENDA_KINDS, type AgendaRow, previewTimes, rowsOf, slotOrder, withBlankRow } from './agenda-edit.js'
import { BookingClosedError, bookPitch, changePitch, pitchToken, slotTime } from './booking.js'
import { addressConfirmed } from './holds.js'
import { replaceHolderFeed } from './links.js'
import { ATTENDANCE, bookingRequest, communeNamed, DOMAINS, HOLDER_KINDS, NEEDS, STAGES } from './forms.js'
import {
  attachHolder, findInitiative, initiativeChoices, type InitiativeRow, initiativeHolders, initiativePitches, insertIdea, listInitiatives, mergedInto,
  mergeInitiative,
} from './initiatives.js'
import { reorderHeld, saveAgenda } from './programme.js'
import { freeSlotsBySession } from './public.js'
import { countHeld, findPitch, listSessionPitches, type PitchDetails } from './store.js'
import { holdsSlot } from './waiting-list.js'

// The facilitator's side of pitches: triage per session (confirm, decline, move, waiting list, order),
// a booking taken by phone, the session's agenda and its printed copy, and initiatives across sessions.

const ID = /^\d{1,9}$/
const labels = { DOMAINS, NEEDS, STAGES, HOLDER_KINDS, ATTENDANCE, STATUS_LABELS }

/** The facilitator books for someone on any published session that has not ended: no booking deadline. */
const openToFacilitator = (now: Date) => (s: Pick<SessionRow, 'status' | 'ends_at'>) => s.status === 'published' && s.ends_at > now.toISOString()

export async function pitchAdminRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const base = (p: Platform) => `/admin/p/${encodeURIComponent(p.slug)}`
  const now = () => ctx.clock().toISOString()
  const when = (p: Platform) => (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(p.timezone).toFormat("dd/LL/yyyy 'à' HH'h'mm")
  const present = (p: Platform, s: SessionRow) => presentSession(p, s, ctx.config.publicUrl, ctx.clock())

  /** The scope's platform and the session of the URL, or null when the platform has no session that day. */
  async function sessionOf(request: FastifyRequest) {
    const platform = platformOf(request)
    const { date } = request.params as { date: string }
    const session = await findSessionByDate(ctx.db, platform.id, date)
    return session ? { platform, session } : null
  }

  /** …and the pitch of the URL, which must be on that session (a pitch of another platform is a 404). */
  async function pitchOf(request: FastifyRequest) {
    const c = await sessionOf(request)
    const { id } = request.params as { id: string }
    const pitch = c && ID.test(id) ? await findPitch(ctx.db, Number(id)) : undefined
    return c && pitch && pitch.session_id === c.session.id ? { ...c, pitch } : null
  }

  /** Other sessions a pitch can move to: published, not over, with their free slots. */
  async function moveTargets(platform: Platform, session: SessionRow) {
    const rows = (await listSessions(ctx.db, platform.id, { from: todayIn(platform.timezone, ctx.clock()), statuses: ['published'] }))
      .filter((s) => s.id !== session.id && openToFacilitator(ctx.clock())(s))
    const free = await freeSlotsBySession(ctx.db, rows)
    return rows.map((s) => ({ date: s.date, label: `${formatShortDate(s.date)} — ${s.commune_name ?? 'lieu à déterminer'}`, free: free.get(s.id) ?? 0 }))
  }

  /** The session's pitches with, for those holding a slot, their slot number and time. */
  async function programme(session: SessionRow) {
    const [rows, items] = await Promise.all([listSessionPitches(ctx.db, session.id), listAgenda(ctx.db, session.id)])
    const slots = timeAgenda(items, session.start_time).filter((a) => a.slotNumber !== null)
    const held = slotOrder(rows.filter((p) => holdsSlot(p.status)))
    const slotOf = new Map(held.map((p, i) => [p.id, { number: i + 1, time: slots[i] ? formatTimeRange(slots[i].start, slots[i].end) : null }]))
    return { rows, held, items, slots, slotOf }
  }

  // --- Triage ---------------------------------------------------------------------------------------------

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
      title: 'Présentations', platform, base: base(platform), session: present(platform, session), groups, problem,
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
      return reply.redirect(`${base(platform)}/sessions/${session.date}/pitches?done=feed#pitch-${pitch.id}`, 303)
    }
    if (!PITCH_ACTIONS[pitch.status].includes(d.action)) {
      return renderPitches(request, reply, platform, session, { pitchId: pitch.id, message: `Cette action n'est plus possible : la présentation est « ${STATUS_LABELS[pitch.status]} ».` }, 409)
    }
    const back = `${base(platform)}/sessions/${session.date}/pitches?done=${d.action}`
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

  // --- A booking taken by phone ------------------------------------------------------------------------

  async function renderNew(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/session-pitches.eta', {
      title: 'Ajouter une présentation', adding: true, platform, base: base(platform), session: present(platform, session),
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
      return reply.redirect(`${base(platform)}/sessions/${session.date}/pitches?done=${done}#pitch-${result.pitchId}`, 303)
    } catch (error) {
      if (error instanceof BookingClosedError) return renderNew(request, reply, platform, session, form.values, {}, 409)
      throw error
    }
  })

  // A holder's own sheet, for someone without an email address: what their page says, and its address.
  app.get('/sessions/:date/pitches/:id/print', async (request, reply) => {
    const c = await pitchOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session, pitch } = c
    return page(request, reply, 'print/pitch.eta', {
      title: `${pitch.holder_name} — ${present(platform, session).longDate}`, platform, session: present(platform, session), pitch,
      slot: holdsSlot(pitch.status) ? await slotTime(ctx.db, session, pitch.id) : null, STATUS_LABELS,
      link: `${ctx.config.publicUrl}/pitch/${pitchToken(ctx, pitch)}`, back: `${base(platform)}/sessions/${session.date}/pitches#pitch-${pitch.id}`,
    })
  })

  // --- Agenda ------------------------------------------------------------------------------------------

  async function renderAgenda(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, rows: AgendaRow[], errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/session-agenda.eta', {
      title: 'Déroulé de la séance', platform, base: base(platform), session: present(platform, session), rows, errors,
      times: previewTimes(rows, session.start_time), kinds: AGENDA_KINDS, held: await countHeld(ctx.db, session.id),
      pitchRows: rows.filter((r) => r.kind === 'pitch' && !r.remove && (r.title.trim() || r.duration.trim())).length,
      query: request.query ?? {},
    }, status)
  }

  app.get('/sessions/:date/agenda', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    return renderAgenda(request, reply, c.platform, c.session, withBlankRow(rowsOf(await listAgenda(ctx.db, c.session.id))), {})
  })

  app.post('/sessions/:date/agenda', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session } = c
    const form = parseForm(agendaForm, request.body)
    if (!form.ok) return renderAgenda(request, reply, platform, session, withBlankRow(rowsOf(await listAgenda(ctx.db, session.id))), form.errors, 400)
    const { op, rows } = form.data
    if (op === 'add') return renderAgenda(request, reply, platform, session, withBlankRow(rows), {})
    const outcome = await saveAgenda(ctx, platform, session, rows)
    if (!outcome.ok) return renderAgenda(request, reply, platform, session, rows, outcome.errors, 400)
    return reply.redirect(`${base(platform)}/sessions/${session.date}/agenda?saved=1`, 303)
  })

  // --- The facilitator's printed copy: timed agenda with the pitches, and the sign-in sheet --------------

  app.get('/sessions/:date/print', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session } = c
    const { items, held } = await programme(session)
    const agenda = timeAgenda(items, session.start_time).map((a) => ({
      time: formatTimeRange(a.start, a.end), start: formatTime(a.start), title: a.item.title, kind: a.item.kind,
      pitch: a.slotNumber ? held[a.slotNumber - 1] ?? null : null,
    }))
    const signers = held.filter((p) => p.status === 'confirmed')
    return page(request, reply, 'print/agenda.eta', {
      title: `${platform.name} — ${present(platform, session).longDate}`, platform, session: present(platform, session),
      agenda, signers, blankRows: 10, HOLDER_KINDS,
    })
  })

  // --- Initiatives across sessions ---------------------------------------------------------------------

  async function initiativeOf(request: FastifyRequest) {
    const platform = platformOf(request)
    const { id } = request.params as { id: string }
    const initiative = ID.test(id) ? await findInitiative(ctx.db, platform.id, Number(id)) : undefined
    return initiative ? { platform, initiative } : null
  }

  async function renderInitiatives(request: FastifyRequest, reply: FastifyReply, platform: Platform, adding: boolean, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const q = request.query as { holder?: string }
    const withoutHolder = q.holder === 'none'
    return page(request, reply, 'admin/initiatives.eta', {
      title: adding ? 'Noter une idée' : 'Initiatives', platform, base: base(platform), adding, withoutHolder, values, errors,
      initiatives: adding ? [] : await listInitiatives(ctx.db, platform.id, { withoutHolder }),
      communes: await listCommunes(ctx.db, platform.id), shortDate: formatShortDate, ...labels,
    }, status)
  }

  app.get('/initiatives', async (request, reply) => {
    const platform = platformOf(request)
    return renderInitiatives(request, reply, platform, false, {}, {})
  })

  app.get('/initiatives/new', async (request, reply) => {
    const platform = platformOf(request)
    return renderInitiatives(request, reply, platform, true, {}, {})
  })

  app.post('/initiatives/new', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(ideaForm, request.body)
    const communes = await listCommunes(ctx.db, platform.id)
    if (form.ok && form.data.commune_id !== null && !communes.some((x) => x.id === form.data.commune_id)) {
      return renderInitiatives(request, reply, platform, true, form.values, { commune_id: 'Choisissez une commune de la liste.' }, 400)
    }
    if (!form.ok) return renderInitiatives(request, reply, platform, true, form.values, form.errors, 400)
    const d = form.data
    const id = await insertIdea(ctx.db, platform.id, {
      title: d.initiative_title, summary: d.initiative_summary, domain: d.domain, needs: d.needs, stage: d.stage, commune_id: d.commune_id,
    }, now())
    return reply.redirect(`${base(platform)}/initiatives/${id}?done=created`, 303)
  })

  async function renderInitiative(request: FastifyRequest, reply: FastifyReply, platform: Platform, initiative: InitiativeRow, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const [holders, pitches, merged, choices] = await Promise.all([
      initiativeHolders(ctx.db, [initiative.id]), initiativePitches(ctx.db, [initiative.id]), mergedInto(ctx.db, initiative.id),
      initiativeChoices(ctx.db, platform.id),
    ])
    return page(request, reply, 'admin/initiative.eta', {
      title: initiative.title, platform, base: base(platform), initiative, holders, merged, values, errors,
      pitches: pitches.map((p) => ({ ...p, longDate: formatShortDate(p.date) })),
      needList: initiative.needs ? initiative.needs.split(',').map((n) => NEEDS[n as keyof typeof NEEDS] ?? n) : [],
      choices: choices.filter((x) => x.id !== initiative.id), createdAt: when(platform)(initiative.created_at),
      query: request.query ?? {}, ...labels,
    }, status)
  }

  app.get('/initiatives/:id', async (request, reply) => {
    const c = await initiativeOf(request)
    if (!c) return notFound(request, reply)
    // A merged duplicate's address (a bookmark, an old note) leads to the initiative it joined.
    if (c.initiative.merged_into_id) return reply.redirect(`${base(c.platform)}/initiatives/${c.initiative.merged_into_id}`, 302)
    return renderInitiative(request, reply, c.platform, c.initiative, { holder_kind: 'resident' }, {})
  })

  app.post('/initiatives/:id/holders', async (request, reply) => {
    const c = await initiativeOf(request)
    if (!c) return notFound(request, reply)
    const { platform, initiative } = c
    if (initiative.merged_into_id) return reply.redirect(`${base(platform)}/initiatives/${initiative.merged_into_id}`, 303)
    const form = parseForm(attachHolderForm, request.body)
    if (!form.ok) return renderInitiative(request, reply, platform, initiative, form.values, form.errors, 400)
    const d = form.data
    await ctx.db.transaction().execute((trx) => attachHolder(trx, platform.id, initiative, { name: d.holder_name, email: d.holder_email, phone: d.holder_phone, kind: d.holder_kind }, now()))
    return reply.redirect(`${base(platform)}/initiatives/${initiative.id}?done=holder`, 303)
  })

  app.post('/initiatives/:id/merge', async (request, reply) => {
    const c = await initiativeOf(request)
    if (!c) return notFound(request, reply)
    const { platform, initiative } = c
    if (initiative.merged_into_id) return reply.redirect(`${base(platform)}/initiatives/${initiative.merged_into_id}`, 303)
    const form = parseForm(mergeForm, request.body)
    // The initiative kept must be another live initiative of this platform (an id from elsewhere is not found).
    const into = form.ok ? await findInitiative(ctx.db, platform.id, form.data.into_id) : undefined
    const refusal = !into || into.merged_into_id ? "Choisissez dans la liste l'initiative à garder."
      : into.id === initiative.id ? 'Une initiative ne peut pas être fusionnée avec elle-même.' : null
    if (refusal || !into) return renderInitiative(request, reply, platform, initiative, { holder_kind: 'resident', ...form.values }, { into_id: refusal! }, 400)
    const merged = await ctx.db.transaction().execute((trx) => mergeInitiative(trx, platform.id, initiative.id, into.id, now()))
    if (!merged) return renderInitiative(request, reply, platform, initiative, { holder_kind: 'resident', ...form.values }, { into_id: "Choisissez dans la liste l'initiative à garder." }, 409)
    return reply.redirect(`${base(platform)}/initiatives/${into.id}?done=merged`, 303)
  })
}
