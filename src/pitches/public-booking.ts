import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { mailQueued, mailsSince } from '../mail/reads.js'
import { queueSessionMail } from '../sessions/notify.js'
import { findSessionById, lockSession, type SessionRow } from '../sessions/store.js'
import { hashToken } from '../web/tokens.js'
import { findPlatform } from '../platforms/store.js'
import { BookingClosedError, type BookingRequest, changePitch, isLive, pitchRecipient, pitchToken, placePitch, slotTime } from './booking.js'
import { addressConfirmed, holdEnd, mayMailLink } from './holds.js'
import {
  findHolderByEmail, findPitch, findPitchByFormNonce, findPitchForHolder, initiativeForHolder, insertNewHolder, lapsedHolds,
} from './store.js'

// The public booking form (issue #25). Anyone can type anyone's address, so the answer never opens a
// booking of someone the platform already knows:
// - an address it has never seen: the new booking's own link at once (the contract's 303 to /pitch/{token}),
//   held for a while until its holder confirms from the email (holds.ts);
// - an address it knows: "check your email" — the person at that address is mailed the new booking (or
//   their booking for that session, again), and nothing about them is changed by what was typed.
// A double submit is the same form nonce (its CSRF token) sent again: the first answer again, nothing
// written or mailed twice.

export type FormAnswer = { kind: 'link'; token: string } | { kind: 'sent' }

/** The outbox key of the email that answered a form nonce: queueing it twice inserts once. */
const mailKey = (nonceHash: string) => `pitch.form:${nonceHash}`

/** What a nonce was already answered, if it was (read in the caller's transaction, or before any). */
async function answeredBefore(ctx: AppContext, db: Db, nonceHash: string): Promise<FormAnswer | null> {
  const pitch = await findPitchByFormNonce(db, nonceHash)
  if (pitch) return { kind: 'link', token: pitchToken(ctx, pitch) }
  return (await mailQueued(db, mailKey(nonceHash))) ? { kind: 'sent' } : null
}

/** How the email's closing line says until when an unconfirmed booking is held. */
export function holdDeadline(platform: Platform, holdUntil: string): string {
  return DateTime.fromISO(holdUntil, { zone: 'utc' }).setZone(platform.timezone).setLocale('fr').toFormat("cccc d LLLL yyyy 'à' HH'h'mm")
}

/**
 * Emails the holder their booking's link: the confirmation link while the booking waits for them
 * (pitch.verify), else their link again (pitch.link). Only ever to the address the platform has.
 */
async function mailLink(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, pitchId: number, dedupeKey: string | undefined) {
  const pitch = (await findPitch(db, pitchId))!
  if (!pitch.holder_email) return
  const base = pitchRecipient(ctx, { ...pitch, holder_email: pitch.holder_email })
  const confirming = !addressConfirmed(pitch)
  const to = confirming ? { ...base, personalLink: { purpose: 'pitch-confirm' as const, id: pitch.id, version: pitch.token_version } } : base
  await queueSessionMail(ctx, db, platform, session, confirming ? 'pitch.verify' : 'pitch.link', to, {
    itip: null,
    initiativeTitle: pitch.title,
    slotTime: pitch.status === 'waiting' ? null : await slotTime(db, session, pitch.id),
    // The template's one line about the hold: until when the booking waits for the click.
    changes: confirming && pitch.hold_until ? [holdDeadline(platform, pitch.hold_until)] : [],
    dedupeKey,
  })
}

/** A booking from the public form, as the form answers it (BookingClosedError when booking has closed). */
export async function bookFromForm(ctx: AppContext, platform: Platform, sessionId: number, request: BookingRequest & { holder: { email: string } }, isOpen: (s: SessionRow) => boolean, nonce: string): Promise<FormAnswer> {
  const nonceHash = hashToken(nonce)
  // Sent again: answered from reads alone, before waiting for the write lock behind other bookings.
  const before = await answeredBefore(ctx, ctx.db, nonceHash)
  if (before) return before
  const now = ctx.clock()
  const iso = now.toISOString()
  return ctx.db.transaction().execute(async (trx): Promise<FormAnswer> => {
    await lockSession(trx, sessionId)
    const session = await findSessionById(trx, sessionId)
    if (!session || !isOpen(session)) throw new BookingClosedError()
    const again = await answeredBefore(ctx, trx, nonceHash)
    if (again) return again
    const held = { confirmedAt: null, holdUntil: holdEnd(now, platform.booking_hold_hours, session.starts_at) }
    const what = { attendance: request.attendance, publicTitle: request.publicTitle }

    const created = await insertNewHolder(trx, platform.id, request.holder, iso, request.sharesContact)
    if (created) {
      const initiativeId = await initiativeForHolder(trx, platform.id, created.id, request.initiative, iso)
      const placed = await placePitch(ctx, trx, platform, session, { ...what, holderId: created.id, initiativeId }, undefined, { ...held, formNonceHash: nonceHash }, iso)
      await mailLink(ctx, trx, platform, session, placed.pitchId, undefined)
      return { kind: 'link', token: placed.token }
    }

    // A known address: whoever typed it, only the mailbox learns anything, and only so many times an hour.
    const holder = (await findHolderByEmail(trx, platform.id, request.holder.email))!
    const hourAgo = new Date(now.getTime() - 3600_000).toISOString()
    const linkMails = holder.email ? await mailsSince(trx, { platformId: platform.id, email: holder.email, kinds: ['pitch.verify', 'pitch.link'], since: hourAgo }) : 0
    if (!holder.email || !mayMailLink(linkMails)) return { kind: 'sent' }
    const existing = await findPitchForHolder(trx, session.id, holder.id)
    let pitchId = existing?.id
    if (!existing || !isLive(existing)) {
      // Their initiative of the same title is continued as it is: what was typed changes nothing of theirs.
      const initiativeId = await initiativeForHolder(trx, platform.id, holder.id, request.initiative, iso, true)
      pitchId = (await placePitch(ctx, trx, platform, session, { ...what, holderId: holder.id, initiativeId }, existing, { ...held, formNonceHash: null }, iso)).pitchId
    }
    await mailLink(ctx, trx, platform, session, pitchId!, mailKey(nonceHash))
    return { kind: 'sent' }
  })
}

/**
 * On the mail worker's beat: releases the unconfirmed bookings whose hold has ended (each in its own
 * transaction, which decides again under the session's lock), oldest first, a batch at a time.
 */
export async function releaseLapsedHolds(ctx: AppContext, batch = 50): Promise<number> {
  const lapsed = await lapsedHolds(ctx.db, ctx.clock().toISOString(), batch)
  for (const l of lapsed) await changePitch(ctx, await findPlatform(ctx.db, l.platform_id), l.id, { kind: 'lapse' })
  return lapsed.length
}
