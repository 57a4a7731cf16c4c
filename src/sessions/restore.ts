import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { type HeldSelection, heldState, leftThreads, withdrawUnsent } from '../mail/hold.js'
import { queueSessionMail } from './notify.js'
import type { SessionProviders } from './recipient.js'
import { findSessionById, lockSession, type SessionRow } from './store.js'

// "Rétablir la séance" (#24 §6): a cancelled session whose date is still ahead goes back to what it was. The
// cancellations still waiting in the outbox are withdrawn (nobody receives them); those who already received
// theirs get a fresh REQUEST with a higher SEQUENCE, which puts the session back in their calendar. Cancelling
// touches neither pitches nor invitations (changes.ts only changes the session row and queues the messages),
// so restoring the row is putting the session back as it was.

/** The one line the REQUEST carries (session.updated's list of changes). */
export const RESTORED_LINE = 'La séance a bien lieu finalement : l’annulation que vous avez reçue est levée.'

/** The messages of the session's latest cancellation (a session cancelled before this existed: all of them). */
export function cancellationMails(s: Pick<SessionRow, 'id' | 'cancelled_at'>): HeldSelection {
  return { sessionId: s.id, kind: 'session.cancelled', since: s.cancelled_at ?? '' }
}

/** Why the session cannot be restored, in French; null when it can. */
export function restoreRefusal(s: Pick<SessionRow, 'status' | 'starts_at'>, now: Date): string | null {
  if (s.status !== 'cancelled') return 'Cette séance n’est pas annulée : il n’y a rien à rétablir.'
  if (s.starts_at <= now.toISOString()) return 'Cette séance est passée : elle ne peut plus être rétablie.'
  return null
}

export interface CancellationState {
  /** Messages still waiting to leave, and when the last of them leaves. */
  queued: number
  leavesAt: string | null
  /** Whole minutes until then (at least 1 while any is waiting). */
  leavesInMinutes: number | null
  /** Messages that left (or are leaving now): their people get a REQUEST on restore. */
  left: number
  failed: number
  /** Why it cannot be restored, or null. */
  refusal: string | null
}

/** What the session page and the restore confirmation say about a cancelled session. */
export async function cancellationState(db: Db, s: SessionRow, now: Date): Promise<CancellationState> {
  const state = await heldState(db, cancellationMails(s))
  const wait = state.leavesAt ? Date.parse(state.leavesAt) - now.getTime() : null
  return {
    ...state,
    leavesInMinutes: wait === null ? null : Math.max(1, Math.ceil(wait / 60_000)),
    refusal: restoreRefusal(s, now),
  }
}

/** Who hears nothing (their cancellation is withdrawn) and who is told the session takes place after all. */
export async function restoreAudience(ctx: AppContext & SessionProviders, s: SessionRow): Promise<{ silent: string[]; told: string[] }> {
  const [people, left] = await Promise.all([ctx.attendees(ctx.db, s.id), leftThreads(ctx.db, cancellationMails(s))])
  const told = (p: { key: string }) => left.has(`session:${s.id}:${p.key}`)
  return { silent: people.filter((p) => !told(p)).map((p) => p.name), told: people.filter(told).map((p) => p.name) }
}

export interface Restored {
  session: SessionRow
  /** Cancellations withdrawn before they left. */
  withdrawn: number
  /** REQUESTs queued for those whose cancellation had left. */
  requests: number
}

/** Restores the session in one transaction; null when it cannot be (restoreRefusal, checked again under the lock). */
export async function restoreSession(ctx: AppContext & SessionProviders, platform: Platform, sessionId: number): Promise<Restored | null> {
  const now = ctx.clock()
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, sessionId)
    const before = await findSessionById(trx, sessionId)
    if (!before || restoreRefusal(before, now) !== null) return null
    const { withdrawn } = await withdrawUnsent(trx, cancellationMails(before))
    const told = await leftThreads(trx, cancellationMails(before))
    // SEQUENCE rises again: a feed or a calendar that saw the CANCEL takes the session back.
    const sequence = before.sequence + 1
    await trx.updateTable('session').set({
      status: before.cancelled_from ?? 'published', cancelled_from: null, cancelled_at: null,
      sequence, material_sequence: sequence, updated_at: now.toISOString(),
    }).where('id', '=', sessionId).execute()
    const after = (await findSessionById(trx, sessionId))!
    let requests = 0
    if (after.status === 'published') {
      for (const to of await ctx.attendees(trx, sessionId)) {
        if (!told.has(`session:${sessionId}:${to.key}`)) continue
        await queueSessionMail(ctx, trx, platform, after, 'session.updated', to, { itip: 'REQUEST', changes: [RESTORED_LINE] })
        requests++
      }
    }
    return { session: after, withdrawn, requests }
  })
}
