import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { type AttendeeFilter, personalRecipient, type Recipient } from '../sessions/recipient.js'

// A holder as the recipient of a session email: their pitch link and their personal feed, whose token hash
// pitches/ stores on the holder row (its own table).

type Person = { id: number; name: string; email: string; feed_version?: number }

/**
 * The first line of a message for a holder a facilitator booked by phone without an address: it goes to the
 * platform's mailbox, whose team passes it on (#24 §2).
 */
export function forwardNote(holder: { name: string; phone: string | null }): string {
  const phone = holder.phone ? ` (téléphone : ${holder.phone})` : ''
  return `Ce message est destiné à ${holder.name}, qui n'a pas d'adresse e-mail : merci de le lui transmettre${phone}.`
}

/**
 * A holder as the recipient of a session email, whether or not they have an address: without one, the
 * message goes to the platform's mailbox (`mailbox`) with a first line saying whom to pass it on to, and no
 * calendar part (queueSessionMail). `initiativeTitle`: their pitch's, for the session's own mails.
 */
export function holderOrMailbox(ctx: Pick<AppContext, 'config'>, h: Omit<Person, 'email'> & { email: string | null; phone: string | null },
  pitch: { id: number; token_version: number } | null, mailbox: string, extra: { initiativeTitle?: string | null; answer?: string | null } = {}): Recipient {
  const to = holderRecipient(ctx, { ...h, email: h.email ?? mailbox }, pitch)
  return { ...to, ...extra, forwardNote: h.email ? null : forwardNote(h) }
}

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
 * Holders of the session's confirmed pitches, in pitch order; with filter.settledBy, only those confirmed (last
 * changed) by then. A confirmed pitch's holder comes, so filter.coming changes nothing. A holder without an
 * address is reached through the platform's mailbox (holderOrMailbox). Each carries their pitch's title and
 * their attendance as `answer` ('on_site' or 'remote'): a switch to visio tells those on site (session.updated).
 */
export async function confirmedHolders(ctx: Pick<AppContext, 'config'>, db: Db, sessionId: number, filter: AttendeeFilter = {}): Promise<Recipient[]> {
  let query = db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id').innerJoin('platform', 'platform.id', 'holder.platform_id')
    .select(['holder.id', 'holder.name', 'holder.email', 'holder.phone', 'holder.feed_version', 'pitch.id as pitch_id', 'pitch.token_version',
      'initiative.title', 'pitch.attendance_mode', 'platform.contact_email'])
    .where('pitch.session_id', '=', sessionId).where('pitch.status', '=', 'confirmed')
  if (filter.settledBy !== undefined) query = query.where('pitch.updated_at', '<=', filter.settledBy)
  const rows = await query.orderBy('pitch.id').execute()
  return rows.map((h) => holderOrMailbox(ctx, { id: h.id, name: h.name, email: h.email, phone: h.phone, feed_version: h.feed_version },
    { id: h.pitch_id, token_version: h.token_version }, h.contact_email, { initiativeTitle: h.title, answer: h.attendance_mode }))
}
