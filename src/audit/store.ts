import type { Db } from '../db/schema.js'

// The audit trail (issue #17): record(db, event) is called by a feature inside the transaction of the action it
// logs, so an action and its entry commit together. It knows no feature (like mail/): the caller says what
// happened in these neutral terms. It never receives personal data: `subject` is rows by table and id, `detail`
// counts; rowRefs() writes the rows, and assertNoPersonalData() refuses an address slipped in by mistake.

export type AuditActor =
  | { kind: 'facilitator'; facilitatorId: number; address: string | null }
  | { kind: 'operator' }
  | { kind: 'system' }
  /** The person themselves, from their personal link ("Mes données", privacy/self-export.ts). */
  | { kind: 'person' }

export interface AuditEvent {
  platformId: number | null
  actor: AuditActor
  /** A dotted key: 'person.export', 'person.erase', 'person.search'. */
  action: string
  /** Rows acted upon: { holder: [12], contact: [7] }. */
  rows?: Record<string, number[]>
  /** Numbers only: how many rows of each table were read, changed or erased. */
  counts?: Record<string, number>
}

/** "contact:7 holder:12 holder:13", tables in name order, ids ascending. */
export function rowRefs(rows: Record<string, number[]>): string | null {
  const refs = Object.keys(rows).sort().flatMap((table) => [...new Set(rows[table])].sort((a, b) => a - b).map((id) => `${table}:${id}`))
  return refs.length ? refs.join(' ') : null
}

const ADDRESS = /[^\s@]+@[^\s@]+/

/** A programming error, not a user's: the trail must never hold an address (tests look for any). */
export function assertNoPersonalData(event: AuditEvent): void {
  if (!/^[a-z]+(\.[a-z-]+)+$/.test(event.action)) throw new Error(`audit: the action must be a dotted key, not "${event.action}"`)
  for (const [key, value] of Object.entries(event.counts ?? {})) {
    if (ADDRESS.test(key) || !Number.isInteger(value)) throw new Error('audit: counts are numbers by table name')
  }
  for (const key of Object.keys(event.rows ?? {})) if (!/^[a-z_]+$/.test(key)) throw new Error('audit: rows are ids by table name')
}

export async function record(db: Db, event: AuditEvent, now: string): Promise<void> {
  assertNoPersonalData(event)
  await db.insertInto('audit_event').values({
    platform_id: event.platformId,
    actor_kind: event.actor.kind,
    actor_facilitator_id: event.actor.kind === 'facilitator' ? event.actor.facilitatorId : null,
    action: event.action,
    subject: event.rows ? rowRefs(event.rows) : null,
    detail: event.counts ? JSON.stringify(event.counts) : null,
    address: event.actor.kind === 'facilitator' ? event.actor.address : null,
    created_at: now,
  }).execute()
}

/** A platform's trail, newest first, with the acting facilitator's name (a facilitator reads it). */
export function listAudit(db: Db, platformId: number, opts: { limit: number; offset: number }) {
  return db.selectFrom('audit_event')
    .leftJoin('facilitator', 'facilitator.id', 'audit_event.actor_facilitator_id')
    .select(['audit_event.id', 'audit_event.action', 'audit_event.actor_kind', 'audit_event.subject', 'audit_event.detail',
      'audit_event.address', 'audit_event.created_at', 'facilitator.name as facilitator_name'])
    .where('audit_event.platform_id', '=', platformId)
    .orderBy('audit_event.created_at', 'desc').orderBy('audit_event.id', 'desc')
    .limit(opts.limit).offset(opts.offset)
    .execute()
}
