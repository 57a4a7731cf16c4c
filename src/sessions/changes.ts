import type { AppContext } from '../context.js'
import type { Db, Platform, SessionUpdate } from '../db/schema.js'
import { toInstant } from '../calendar/zoned.js'
import { diffSession, type SessionDiff, type SessionFacts } from './diff.js'
import { addSeconds } from '../mail/outbox.js'
import { holdQueued } from '../mail/hold.js'
import { notifySessionChange } from './notify.js'
import { cancellationMails } from './restore.js'
import { placeLabel } from './place-query.js'
import type { SessionProviders } from './recipient.js'
import { findSessionById, rememberEarlierDate, type SessionRow } from './store.js'

// Every change to a session goes through here: one transaction updates the row, bumps SEQUENCE when the
// change matters to calendars, and queues the update or cancellation for everyone who holds it.

async function facts(db: Db, s: Pick<SessionRow, 'date' | 'start_time' | 'end_time' | 'venue_id' | 'commune_id' | 'mode' | 'video_url'>): Promise<SessionFacts> {
  return { date: s.date, start_time: s.start_time, end_time: s.end_time, venue_label: await placeLabel(db, s), mode: s.mode, video_url: s.video_url }
}

export type SessionPatch = Partial<Pick<SessionRow, 'date' | 'start_time' | 'end_time' | 'commune_id' | 'venue_id' | 'mode' | 'video_url' | 'notes' | 'status' | 'moved_because'>>

/** `ctx.attendees` (handed in by app.ts): who is told of a change that matters to calendars. */
export async function applySessionChange(ctx: AppContext & SessionProviders, platform: Platform, sessionId: number, patch: SessionPatch): Promise<{ diff: SessionDiff; session: SessionRow }> {
  const now = ctx.clock().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    const before = await findSessionById(trx, sessionId)
    if (!before) throw new Error('session not found')
    const merged = { ...before, ...patch }
    const diff = diffSession(await facts(trx, before), await facts(trx, merged))
    const cancelling = patch.status === 'cancelled' && before.status !== 'cancelled'
    const set: SessionUpdate = { ...patch, updated_at: now }
    if (patch.date !== undefined || patch.start_time !== undefined || patch.end_time !== undefined) {
      set.starts_at = toInstant(merged.date, merged.start_time, platform.timezone)
      set.ends_at = toInstant(merged.date, merged.end_time, platform.timezone)
    }
    // RFC 5546 §2.1.4: SEQUENCE goes up on a change of time, place or status, and on every CANCEL.
    if (diff.material || cancelling) set.sequence = set.material_sequence = before.sequence + 1
    // What "Rétablir la séance" puts back, and which cancellation messages were this one's (restore.ts).
    if (cancelling) Object.assign(set, { cancelled_from: before.status, cancelled_at: now })
    await trx.updateTable('session').set(set).where('id', '=', sessionId).execute()
    if (patch.date !== undefined && patch.date !== before.date) await rememberEarlierDate(trx, before, now)
    const after = (await findSessionById(trx, sessionId))!
    // A cancelled session has left every calendar: later edits (notes, place) are not sent again.
    if (cancelling || (after.status === 'published' && diff.material)) {
      await notifySessionChange(ctx, trx, ctx.attendees, platform, after, cancelling ? { kind: 'cancelled' } : { kind: 'updated', lines: diff.lines })
    }
    // The cancellations wait in the queue for the undo's grace period before they leave.
    if (cancelling) await holdQueued(trx, cancellationMails(after), addSeconds(now, ctx.config.undoGraceSeconds))
    return { diff, session: after }
  })
}
