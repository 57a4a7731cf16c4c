import type { Db } from '../db/schema.js'
import type { MailKind } from './kinds.js'

// Read-only questions other folders ask of the outbox (mail/ owns it; only outbox.ts writes it).

/** How many mails of these kinds were queued to this address on the platform since `since`. */
export async function mailsSince(db: Db, q: { platformId: number; email: string; kinds: MailKind[]; since: string }): Promise<number> {
  const row = await db.selectFrom('outbox').select(db.fn.countAll<number>().as('n'))
    .where('platform_id', '=', q.platformId).where('to_email', '=', q.email).where('kind', 'in', q.kinds)
    .where('created_at', '>', q.since).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Has a mail with this dedupe key been queued (whatever became of it since)? */
export async function mailQueued(db: Db, dedupeKey: string): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('dedupe_key', '=', dedupeKey).executeTakeFirst()
  return row !== undefined
}
