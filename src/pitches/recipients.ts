import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { type AttendeeFilter, personalRecipient, type Recipient } from '../sessions/recipient.js'

// A holder as the recipient of a session email: their pitch link and their personal feed, whose token hash
// pitches/ stores on the holder row (its own table).

type Person = { id: number; name: string; email: string; feed_version?: number }

/** The holder's feed token hash, stored by the first email that carries the link; a stored hash is kept. */
async function storeHolderFeedHash(db: Db, holderId: number, hash: string): Promise<void> {
  await db.updateTable('holder').set({ feed_token_hash: hash }).where('id', '=', holderId).where('feed_token_hash', 'is', null).execute()
}

/** `feed_version`: the version of the holder's feed link (0 when absent); `pitch` null: no pitch link. */
export function holderRecipient(ctx: Pick<AppContext, 'config'>, h: Person, pitch: { id: number; token_version: number } | null): Recipient {
  return personalRecipient(ctx, {
    kind: 'holder',
    id: h.id,
    name: h.name,
    email: h.email,
    personalLink: pitch ? { purpose: 'pitch', id: pitch.id, version: pitch.token_version } : null,
    feedLink: { purpose: 'feed-holder', id: h.id, version: h.feed_version ?? 0 },
    storeFeedHash: (db, hash) => storeHolderFeedHash(db, h.id, hash),
  })
}

/**
 * Holders (with an address) of the session's confirmed pitches, in pitch order; with filter.settledBy, only
 * those confirmed (last changed) by then. A confirmed pitch's holder comes, so filter.coming changes nothing.
 */
export async function confirmedHolders(ctx: Pick<AppContext, 'config'>, db: Db, sessionId: number, filter: AttendeeFilter = {}): Promise<Recipient[]> {
  let query = db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .select(['holder.id', 'holder.name', 'holder.email', 'holder.feed_version', 'pitch.id as pitch_id', 'pitch.token_version'])
    .where('pitch.session_id', '=', sessionId).where('pitch.status', '=', 'confirmed').where('holder.email', 'is not', null)
  if (filter.settledBy !== undefined) query = query.where('pitch.updated_at', '<=', filter.settledBy)
  const rows = await query.orderBy('pitch.id').execute()
  return rows.map((h) => holderRecipient(ctx, { id: h.id, name: h.name, email: h.email!, feed_version: h.feed_version }, { id: h.pitch_id, token_version: h.token_version }))
}
