import type { Db, OutboxStatus } from '../db/schema.js'
import type { OutboxKind } from './kinds.js'

// Undo (#24 §6): the messages of an action that can still be undone wait a short while in the queue (hold),
// and the undo withdraws those that have not left (superseded, like a message a newer one replaced).

/** Which queued messages: one session's rows of one kind created at or after `since`. */
export interface HeldSelection {
  sessionId: number
  kind: OutboxKind
  since: string
}

/** Delays the selected queued messages until `until` (in the transaction that queued them). */
export async function holdQueued(db: Db, sel: HeldSelection, until: string): Promise<void> {
  await db.updateTable('outbox').set({ next_attempt_at: until })
    .where('session_id', '=', sel.sessionId).where('kind', '=', sel.kind).where('created_at', '>=', sel.since)
    .where('status', '=', 'queued')
    .execute()
}

/**
 * Withdraws the selected messages that never left (queued, or failed for good): they become superseded and
 * will never be sent. Returns how many.
 */
export async function withdrawUnsent(db: Db, sel: HeldSelection): Promise<{ withdrawn: number }> {
  const result = await db.updateTable('outbox').set({ status: 'superseded', lease_until: null })
    .where('session_id', '=', sel.sessionId).where('kind', '=', sel.kind).where('created_at', '>=', sel.since)
    .where('status', 'in', ['queued', 'failed'])
    .executeTakeFirst()
  return { withdrawn: Number(result.numUpdatedRows) }
}

/** The selected messages by state: still waiting (with the latest time they leave), gone, failed. */
export async function heldState(db: Db, sel: HeldSelection): Promise<{ queued: number; left: number; failed: number; leavesAt: string | null }> {
  const rows = await db.selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('next_attempt_at').as('at')])
    .where('session_id', '=', sel.sessionId).where('kind', '=', sel.kind).where('created_at', '>=', sel.since)
    .groupBy('status').execute()
  const n = (...s: OutboxStatus[]) => rows.filter((r) => s.includes(r.status)).reduce((a, r) => a + Number(r.n), 0)
  const queued = rows.find((r) => r.status === 'queued')
  return { queued: n('queued'), left: n('sending', 'sent'), failed: n('failed'), leavesAt: queued ? String(queued.at) : null }
}

/** The threads (person and session) whose selected message has left or is leaving. */
export async function leftThreads(db: Db, sel: HeldSelection): Promise<Set<string>> {
  const rows = await db.selectFrom('outbox').select('thread_key')
    .where('session_id', '=', sel.sessionId).where('kind', '=', sel.kind).where('created_at', '>=', sel.since)
    .where('status', 'in', ['sending', 'sent']).execute()
  return new Set(rows.map((r) => r.thread_key).filter((k): k is string => k !== null))
}

/** Delays one queued message until `until` (in the transaction that queued it). */
export async function holdRow(db: Db, id: number, until: string): Promise<void> {
  await db.updateTable('outbox').set({ next_attempt_at: until }).where('id', '=', id).where('status', '=', 'queued').execute()
}

/**
 * The messages of a session that carry one personal link, by the reference their body holds (links.ts linkRef:
 * `[[fabrik:<purpose>:<id>:<version>:…]]`): a new link's messages, whatever their kind.
 */
export interface CarryingSelection {
  sessionId: number
  link: { purpose: string; id: number; version: number }
}

const carrying = (sel: CarryingSelection) => `%[[fabrik:${sel.link.purpose}:${sel.link.id}:${sel.link.version}:%`

/** How many messages carrying the link are waiting, have left (or are leaving), failed; when the last one leaves. */
export async function carryingState(db: Db, sel: CarryingSelection): Promise<{ queued: number; left: number; leavesAt: string | null }> {
  const rows = await db.selectFrom('outbox').select(['status', 'next_attempt_at'])
    .where('session_id', '=', sel.sessionId).where('text_body', 'like', carrying(sel)).execute()
  const queued = rows.filter((r) => r.status === 'queued')
  return {
    queued: queued.length,
    left: rows.filter((r) => r.status === 'sending' || r.status === 'sent').length,
    leavesAt: queued.length ? queued.map((r) => r.next_attempt_at).sort().at(-1)! : null,
  }
}

/** Withdraws the messages carrying the link that never left; returns how many. */
export async function withdrawCarrying(db: Db, sel: CarryingSelection): Promise<number> {
  const result = await db.updateTable('outbox').set({ status: 'superseded', lease_until: null })
    .where('session_id', '=', sel.sessionId).where('text_body', 'like', carrying(sel)).where('status', 'in', ['queued', 'failed'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
