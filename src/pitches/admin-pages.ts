import type { FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import { formatShortDate, formatTimeRange, todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Platform } from '../db/schema.js'
import { timeAgenda } from '../sessions/agenda.js'
import { scopeSession } from '../sessions/scope-session.js'
import { listAgenda, listSessions, type SessionRow } from '../sessions/store.js'
import { presentSession } from '../sessions/view.js'
import { STATUS_LABELS } from './admin-forms.js'
import { slotOrder } from './agenda-edit.js'
import { ATTENDANCE, DOMAINS, HOLDER_KINDS, NEEDS, STAGES } from './forms.js'
import { freeSlotsBySession } from './public.js'
import { findPitch, listSessionPitches } from './store.js'
import { holdsSlot } from './waiting-list.js'

// What the facilitator's pitch pages share (triage-routes, phone-booking-routes, agenda-routes,
// print-routes, initiative-routes): the session and pitch the URL names within the scope's platform,
// the session's programme, and the words and dates the templates show.

export const ID = /^\d{1,9}$/
export const labels = { DOMAINS, NEEDS, STAGES, HOLDER_KINDS, ATTENDANCE, STATUS_LABELS }

/** The facilitator books for someone on any published session that has not ended: no booking deadline. */
export const openToFacilitator = (now: Date) => (s: Pick<SessionRow, 'status' | 'ends_at'>) => s.status === 'published' && s.ends_at > now.toISOString()

/** A stamp in the platform's time zone, as the triage and an initiative's page show it. */
export const when = (p: Platform) => (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(p.timezone).toFormat("dd/LL/yyyy 'à' HH'h'mm")

export function pitchPages(ctx: AppContext) {
  const present = (p: Platform, s: SessionRow) => presentSession(p, s, ctx.config.publicUrl, ctx.clock())

  /** The scope's platform and the session of the URL, or null when the platform has no session that day. */
  const sessionOf = (request: FastifyRequest) => scopeSession(ctx.db, request)

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

  return { present, sessionOf, pitchOf, moveTargets, programme }
}
