import type { CalendarReplyStateTable, CalendarReplyTable, Db } from '../db/schema.js'
import type { Insertable } from 'kysely'

// replies/ owns calendar_reply (every message the poller looked at) and calendar_reply_state (the poller's
// state per mailbox). Reads of other folders' tables are in lookups.ts.

export type NewCalendarReply = Omit<Insertable<CalendarReplyTable>, 'id'>

/** The message already looked at (same mailbox, same Message-ID), if any. */
export function findReply(db: Db, mailbox: string, messageId: string) {
  return db.selectFrom('calendar_reply').selectAll().where('mailbox', '=', mailbox).where('message_id', '=', messageId).executeTakeFirst()
}

/** Records a message once: false when it was already there (a second poller, or the same message again). */
export async function insertReply(db: Db, row: NewCalendarReply): Promise<boolean> {
  const done = await db.insertInto('calendar_reply').values(row)
    .onConflict((oc) => oc.columns(['mailbox', 'message_id']).doNothing()).returning('id').executeTakeFirst()
  return done !== undefined
}

/** The message was flagged \Seen and filed in Fabrik/traités. */
export async function markMoved(db: Db, mailbox: string, messageId: string): Promise<void> {
  await db.updateTable('calendar_reply').set({ moved: 1 }).where('mailbox', '=', mailbox).where('message_id', '=', messageId).execute()
}

export function findState(db: Db, mailbox: string) {
  return db.selectFrom('calendar_reply_state').selectAll().where('mailbox', '=', mailbox).executeTakeFirst()
}

type StateChange = Omit<Insertable<CalendarReplyStateTable>, 'mailbox'>

/** Writes part of a mailbox's state, its row made on the first write. */
async function saveState(db: Db, mailbox: string, change: StateChange): Promise<void> {
  await db.insertInto('calendar_reply_state').values({ mailbox, ...change })
    .onConflict((oc) => oc.column('mailbox').doUpdateSet(change)).execute()
}

/** A new UIDVALIDITY means the server renumbered the folder: start again from its first message. */
export function saveCursor(db: Db, mailbox: string, uidValidity: string, lastUid: number): Promise<void> {
  return saveState(db, mailbox, { uid_validity: uidValidity, last_uid: lastUid })
}

export function recordSuccess(db: Db, mailbox: string, now: string): Promise<void> {
  return saveState(db, mailbox, { last_attempt_at: now, last_success_at: now, last_error: null, failures: 0, next_attempt_at: null })
}

export function recordFailure(db: Db, mailbox: string, error: string, failures: number, nextAt: string, now: string): Promise<void> {
  return saveState(db, mailbox, { last_attempt_at: now, last_error: error.slice(0, 300), failures, next_attempt_at: nextAt })
}

/** How many messages came to each outcome, for a platform (or, with null, those no platform could be found for). */
export async function outcomeCounts(db: Db, platformId: number | null) {
  let q = db.selectFrom('calendar_reply').select(['outcome', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('outcome')
  q = platformId === null ? q.where('platform_id', 'is', null) : q.where('platform_id', '=', platformId)
  const counts = { applied: 0, stale: 0, older: 0, unmatched: 0, failing: 0 }
  for (const r of await q.execute()) counts[r.outcome] = Number(r.n)
  return counts
}

/**
 * Messages left in the inbox or not applied, most recent first: the platform's, and (withNobody: a platform
 * that reads the instance's mailbox) those of the instance's mailbox that no platform could be found for.
 */
export function notAppliedReplies(db: Db, platformId: number, withNobody: boolean, limit = 50) {
  return db.selectFrom('calendar_reply')
    .leftJoin('invitation', 'invitation.id', 'calendar_reply.invitation_id')
    .leftJoin('contact', 'contact.id', 'invitation.contact_id')
    .leftJoin('session', 'session.id', 'calendar_reply.session_id')
    .select([
      'calendar_reply.id', 'calendar_reply.kind', 'calendar_reply.outcome', 'calendar_reply.reason', 'calendar_reply.partstat',
      'calendar_reply.attendee_email', 'calendar_reply.from_address', 'calendar_reply.subject', 'calendar_reply.received_at',
      'calendar_reply.processed_at', 'calendar_reply.platform_id', 'contact.name as contact_name', 'session.date as session_date',
    ])
    .where('calendar_reply.outcome', 'in', ['stale', 'older', 'unmatched'])
    .where((eb) => withNobody
      ? eb.or([eb('calendar_reply.platform_id', '=', platformId), eb('calendar_reply.platform_id', 'is', null)])
      : eb('calendar_reply.platform_id', '=', platformId))
    .orderBy('calendar_reply.id', 'desc')
    .limit(limit)
    .execute()
}
