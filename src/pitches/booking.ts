import type { AppContext } from '../context.js'
import type { Db, Pitch, Platform, PitchStatus } from '../db/schema.js'
import type { MailKind } from '../mail/kinds.js'
import { queueSessionMail, slotMailQueued } from '../sessions/notify.js'
import { forwardNote, holderRecipient } from './recipients.js'
import { bumpSequence, findSessionById, listAgenda, lockSession, type SessionRow } from '../sessions/store.js'
import { retireLink } from '../web/personal-links.js'
import { hashToken, personalToken } from '../web/tokens.js'
import { addressConfirmed, holdLapsed, mayBePromoted } from './holds.js'
import {
  type BookedHolder, countHeld, findPitch, findPitchForHolder, initiativeForHolder, type InitiativeInput, insertPitch,
  nextPosition, type PitchDetails, upsertHolder, upsertHolderWithoutEmail, waitingPitches,
} from './store.js'
import { movedSlots, type SlotTimes, slotTimes } from './slot-times.js'
import { HOLDING, holdsSlot, promotedStatus, statusForNewBooking, statusOnAddressConfirmed, toPromote } from './waiting-list.js'

// Every change to a booking: one transaction that locks the session, decides with the pure rules in
// waiting-list.ts, and queues the holder's email (with the calendar invitation or its cancellation) — and
// an email to every other holder whose slot time the change moved.
// Long file: place, change, promote and the moved slots share one lock and one set of mails; the performance
// work of this session (test/bench) changes it, so it is not split under it.

export function pitchToken(ctx: AppContext, pitch: { id: number; token_version: number }): string {
  return personalToken(ctx.config.sessionSecret, 'pitch', pitch.id, pitch.token_version)
}

/**
 * The link emailed to confirm a booking made on the public form: a personal link of its own to the same
 * page, which the form's answer never shows, so using it proves the address (pitches/holds.ts).
 */
export function confirmToken(ctx: AppContext, pitch: { id: number; token_version: number }): string {
  return personalToken(ctx.config.sessionSecret, 'pitch-confirm', pitch.id, pitch.token_version)
}

/** Every held pitch's slot time on the session, read in the caller's transaction. */
export async function heldSlotTimes(db: Db, session: Pick<SessionRow, 'id' | 'start_time'>): Promise<SlotTimes> {
  const held = await db.selectFrom('pitch').select(['id', 'position']).where('session_id', '=', session.id).where('status', 'in', HOLDING).execute()
  return slotTimes(held, await listAgenda(db, session.id), session.start_time)
}

/** "9 h 20 – 10 h" for a held pitch: its rank among held pitches gives its slot on the agenda. */
export async function slotTime(db: Db, session: SessionRow, pitchId: number): Promise<string | null> {
  return (await heldSlotTimes(db, session)).get(pitchId) ?? null
}

const ITIP: Partial<Record<PitchStatus, 'REQUEST'>> = { confirmed: 'REQUEST' }

/** The holder as a mail recipient: their pitch link and their calendar feed (of its current version). */
export function pitchRecipient(ctx: AppContext, pitch: PitchDetails & { holder_email: string }) {
  return holderRecipient(ctx, { id: pitch.holder_id, name: pitch.holder_name, email: pitch.holder_email, feed_version: pitch.holder_feed_version }, pitch)
}

/**
 * Where a holder's email about their pitch goes: to them; or, for someone a facilitator booked by phone without
 * an address, to the platform's contact mailbox with a first line saying whom to pass it on to (forwardNote),
 * and no calendar part (the event is the holder's, not the team's: queueSessionMail leaves it out).
 */
export function pitchRecipientOrMailbox(ctx: AppContext, platform: Platform, pitch: PitchDetails) {
  const to = pitchRecipient(ctx, { ...pitch, holder_email: pitch.holder_email ?? platform.contact_email })
  return { ...to, forwardNote: pitch.holder_email ? null : forwardNote({ name: pitch.holder_name, phone: pitch.holder_phone }) }
}

/**
 * Queues the holder's email about their pitch; a confirmed pitch carries the calendar invitation. Until
 * the holder has confirmed their address nothing is sent (only the confirmation email, public-booking.ts):
 * the address may be a stranger's, or made up.
 */
async function tellHolder(ctx: AppContext, db: Db, platform: Platform, sessionId: number, pitchId: number, kind: MailKind, options: { cancelCalendar?: boolean; message?: string | null } = {}) {
  const now = ctx.clock().toISOString()
  if (options.cancelCalendar) await bumpSequence(db, sessionId, now)
  const session = (await findSessionById(db, sessionId))!
  const pitch = (await findPitch(db, pitchId))!
  if (!addressConfirmed(pitch)) return
  const to = pitchRecipientOrMailbox(ctx, platform, pitch)
  await queueSessionMail(ctx, db, platform, session, kind, to, {
    itip: options.cancelCalendar ? 'CANCEL' : ITIP[pitch.status] ?? null,
    initiativeTitle: pitch.title,
    slotTime: await slotTime(db, session, pitch.id),
    message: options.message ?? null,
  })
}

/** Frees slots to the first waiting holders, and tells each of them. */
export async function promoteWaiting(ctx: AppContext, db: Db, platform: Platform, session: SessionRow) {
  const now = ctx.clock().toISOString()
  const waiting = (await waitingPitches(db, session.id)).filter((w) => mayBePromoted(w, now))
  const promoted = toPromote(session.pitch_slots, await countHeld(db, session.id), waiting)
  // All of them hold their slot before anyone is told a time: a waiting pitch keeps its position, so one
  // promoted after another may still take an earlier slot. An unconfirmed one holds it as pending.
  for (const p of promoted) {
    const status = promotedStatus(platform.booking_mode, addressConfirmed(waiting.find((w) => w.id === p.id)!))
    await db.updateTable('pitch').set({ status, updated_at: now }).where('id', '=', p.id).execute()
  }
  for (const p of promoted) await tellHolder(ctx, db, platform, session.id, p.id, 'pitch.promoted')
}

/**
 * Tells every holder whose slot time moved since `before` (read under the session's lock, before the change)
 * their new time, in the same transaction. `except`: the pitch whose own email about the change is queued.
 * No calendar part: a holder's calendar event is the whole session, which has not moved.
 */
export async function tellMovedSlots(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, before: SlotTimes, except: number[] = []) {
  for (const moved of movedSlots(before, await heldSlotTimes(db, session))) {
    if (except.includes(moved.pitchId)) continue
    const pitch = (await findPitch(db, moved.pitchId))!
    if (!addressConfirmed(pitch)) continue
    const to = pitchRecipientOrMailbox(ctx, platform, pitch)
    // The time they were last told is not `before` when that email has not left yet (this one replaces it).
    const told = moved.before !== null && !(await slotMailQueued(db, session.id, to))
    await queueSessionMail(ctx, db, platform, session, 'pitch.slot', to, {
      itip: null,
      initiativeTitle: pitch.title,
      slotTime: moved.after,
      changes: told ? [`Horaire prévu jusqu'ici : ${moved.before}.`] : [],
    })
  }
}

export class BookingClosedError extends Error {}

export interface BookingRequest {
  holder: BookedHolder
  initiative: InitiativeInput
  attendance: 'on_site' | 'remote'
  publicTitle: boolean
  /** The booking form's optional consent: referred partners may receive the holder's contact details. */
  sharesContact?: boolean
}

export interface BookingResult { pitchId: number; token: string; status: PitchStatus; existing: boolean }

/** A booking that still stands (withdrawn and declined ones can be booked again, on the same row). */
export function isLive(p: Pick<Pitch, 'status'>): boolean {
  return p.status !== 'withdrawn' && p.status !== 'declined'
}

/** How a new booking stands: confirmed at once (every path but the public form), or held until confirmed. */
export interface Placement { confirmedAt: string | null; holdUntil: string | null; formNonceHash: string | null }

export interface PlacedPitch { pitchId: number; token: string; status: PitchStatus }

/**
 * Puts the holder's initiative on the session, in the caller's transaction under the session's lock: a new
 * row, or their withdrawn or declined one back at the end of the queue with a new link — the old link (and
 * its confirmation link) then answers 410. A booking always takes the last position, after every held
 * pitch: no one else's slot time moves.
 */
export async function placePitch(ctx: AppContext, trx: Db, platform: Platform, session: SessionRow, what: { holderId: number; initiativeId: number; attendance: 'on_site' | 'remote'; publicTitle: boolean }, existing: Pitch | undefined, placement: Placement, now: string): Promise<PlacedPitch> {
  const confirmed = placement.confirmedAt !== null
  const status = statusForNewBooking(session.pitch_slots, await countHeld(trx, session.id), platform.booking_mode, confirmed)
  const fields = {
    status, initiative_id: what.initiativeId, attendance_mode: what.attendance, public_title: what.publicTitle ? 1 as const : 0 as const,
    position: await nextPosition(trx, session.id), address_confirmed_at: placement.confirmedAt, hold_until: placement.holdUntil,
    form_nonce_hash: placement.formNonceHash,
  }
  let pitchId: number
  if (existing) {
    pitchId = existing.id
    for (const hash of [existing.token_hash, existing.confirm_token_hash]) {
      if (hash) await retireLink(trx, { hash, purpose: 'pitch', platformId: platform.id, reason: 'replaced' }, now)
    }
    await trx.updateTable('pitch').set((eb) => ({ ...fields, token_version: eb('token_version', '+', 1), facilitator_message: null, created_at: now, updated_at: now }))
      .where('id', '=', pitchId).execute()
  } else {
    pitchId = await insertPitch(trx, { session_id: session.id, holder_id: what.holderId, ...fields }, now)
  }
  const pitch = (await findPitch(trx, pitchId))!
  const token = pitchToken(ctx, pitch)
  await trx.updateTable('pitch').set({ token_hash: hashToken(token), confirm_token_hash: confirmed ? null : hashToken(confirmToken(ctx, pitch)) })
    .where('id', '=', pitchId).execute()
  return { pitchId, token, status }
}

/** The email a new booking's holder receives, by the status it took. */
export function bookedMail(status: PitchStatus): MailKind {
  return status === 'confirmed' ? 'pitch.confirmed' : status === 'waiting' ? 'pitch.waiting' : 'pitch.received'
}

/**
 * Books a slot, or a place on the waiting list, for someone whose address needs no confirming: a holder
 * booking again from their own link, a facilitator taking a booking by phone, the demo. (The public form
 * goes through public-booking.ts.) Many people booking the last slot at the same instant: the session
 * lock makes them take turns, so exactly one holds it and the others wait. The same email booking twice
 * for one session gets its first booking back.
 */
export async function bookPitch(ctx: AppContext, platform: Platform, sessionId: number, request: BookingRequest, isOpen: (s: SessionRow) => boolean): Promise<BookingResult> {
  const now = ctx.clock().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, sessionId)
    const session = await findSessionById(trx, sessionId)
    if (!session || !isOpen(session)) throw new BookingClosedError()
    const { email } = request.holder
    const holder = email ? await upsertHolder(trx, platform.id, { ...request.holder, email }, now) : await upsertHolderWithoutEmail(trx, platform.id, request.holder, now)
    const existing = await findPitchForHolder(trx, session.id, holder.id)
    if (existing && isLive(existing)) return { pitchId: existing.id, token: pitchToken(ctx, existing), status: existing.status, existing: true }
    const initiativeId = await initiativeForHolder(trx, platform.id, holder.id, request.initiative, now)
    const placed = await placePitch(ctx, trx, platform, session, { holderId: holder.id, initiativeId, attendance: request.attendance, publicTitle: request.publicTitle },
      existing, { confirmedAt: now, holdUntil: null, formNonceHash: null }, now)
    await tellHolder(ctx, trx, platform, session.id, placed.pitchId, bookedMail(placed.status))
    return { ...placed, existing: false }
  })
}

type Change =
  | { kind: 'confirm' }
  | { kind: 'address' }
  | { kind: 'lapse' }
  | { kind: 'decline'; message: string | null }
  | { kind: 'withdraw' }
  | { kind: 'waitlist' }
  | { kind: 'move'; toSessionId: number }

/** A facilitator's or holder's decision on one pitch, with its emails and the waiting list moving up. */
export async function changePitch(ctx: AppContext, platform: Platform, pitchId: number, change: Change): Promise<PitchDetails> {
  const now = ctx.clock().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    const first = (await findPitch(trx, pitchId))!
    await lockSession(trx, first.session_id)
    const before = (await findPitch(trx, pitchId))!
    const session = (await findSessionById(trx, before.session_id))!
    const times = await heldSlotTimes(trx, session)
    const wasHeld = holdsSlot(before.status)
    const hadCalendar = before.status === 'confirmed'
    const set = (status: PitchStatus, extra: { facilitator_message?: string | null } = {}) =>
      trx.updateTable('pitch').set({ status, updated_at: now, ...extra }).where('id', '=', pitchId).execute()

    switch (change.kind) {
      case 'confirm':
        // The facilitator validates a booking whose holder is known to have it: not before they confirmed.
        if (before.status === 'confirmed' || !addressConfirmed(before)) break
        if (!wasHeld && (await countHeld(trx, session.id)) >= session.pitch_slots) break // no free slot: stays where it is
        await set('confirmed')
        await tellHolder(ctx, trx, platform, session.id, pitchId, 'pitch.confirmed')
        break
      case 'address': {
        // The holder opened the emailed link and pressed "Confirmer": from now on they hear of everything.
        if (addressConfirmed(before) || !isLive(before)) break
        const status = statusOnAddressConfirmed(before.status, platform.booking_mode)
        await trx.updateTable('pitch').set({ status, address_confirmed_at: now, hold_until: null, updated_at: now }).where('id', '=', pitchId).execute()
        await tellHolder(ctx, trx, platform, session.id, pitchId, bookedMail(status))
        break
      }
      case 'lapse':
        // Nobody confirmed in time: the slot goes to the next one waiting, and no email goes to the address.
        if (!holdLapsed(before, now)) break
        await set('withdrawn')
        if (wasHeld && session.starts_at > now) await promoteWaiting(ctx, trx, platform, session)
        break
      case 'decline':
        if (before.status === 'declined') break
        await set('declined', { facilitator_message: change.message })
        await tellHolder(ctx, trx, platform, session.id, pitchId, 'pitch.declined', { cancelCalendar: hadCalendar, message: change.message })
        if (wasHeld) await promoteWaiting(ctx, trx, platform, session)
        break
      case 'withdraw':
        if (before.status === 'withdrawn') break
        await set('withdrawn')
        await tellHolder(ctx, trx, platform, session.id, pitchId, 'pitch.withdrawn', { cancelCalendar: hadCalendar })
        if (wasHeld) await promoteWaiting(ctx, trx, platform, session)
        break
      case 'waitlist':
        // The facilitator's choice: the freed slot is not handed on automatically (it may be for this very pitch).
        if (before.status === 'waiting') break
        await set('waiting')
        await tellHolder(ctx, trx, platform, session.id, pitchId, 'pitch.waiting', { cancelCalendar: hadCalendar })
        break
      case 'move': {
        if (change.toSessionId === session.id) break
        await lockSession(trx, change.toSessionId)
        const target = (await findSessionById(trx, change.toSessionId))!
        const clash = await findPitchForHolder(trx, target.id, before.holder_id)
        if (clash) throw new BookingClosedError()
        // The old session's event leaves their calendar in a message of its own (one iTIP object per email).
        if (hadCalendar) await tellHolder(ctx, trx, platform, session.id, pitchId, 'pitch.moved', { cancelCalendar: true })
        const status = statusForNewBooking(target.pitch_slots, await countHeld(trx, target.id), platform.booking_mode, addressConfirmed(before))
        await trx.updateTable('pitch').set({ session_id: target.id, status, position: await nextPosition(trx, target.id), created_at: now, updated_at: now })
          .where('id', '=', pitchId).execute()
        const kind: MailKind = !hadCalendar ? 'pitch.moved' : bookedMail(status)
        await tellHolder(ctx, trx, platform, target.id, pitchId, kind)
        if (wasHeld) await promoteWaiting(ctx, trx, platform, session)
        break
      }
    }
    // Pitches after a freed slot move up, and a pitch taking a slot may come before others. (The target of
    // a move only gains a pitch after every other one: nobody's time there changes.)
    await tellMovedSlots(ctx, trx, platform, session, times, [pitchId])
    return (await findPitch(trx, pitchId))!
  })
}
