import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { type AttendeeFilter, personalRecipient, type Recipient } from '../sessions/recipient.js'

// A partner contact as the recipient of a session email: their RSVP link and their personal feed, whose
// token hash partners/ stores on the contact row (its own table).

type Person = { id: number; name: string; email: string; feed_version?: number }

/** The contact's feed token hash, stored by the first email that carries the link; a stored hash is kept. */
async function storeContactFeedHash(db: Db, contactId: number, hash: string): Promise<void> {
  await db.updateTable('contact').set({ feed_token_hash: hash }).where('id', '=', contactId).where('feed_token_hash', 'is', null).execute()
}

/** `feed_version`: the version of the contact's feed link (0 when absent); `invitation` null: no RSVP link. */
export function contactRecipient(ctx: Pick<AppContext, 'config'>, c: Person, invitation: { id: number; token_version: number } | null): Recipient {
  return personalRecipient(ctx, {
    kind: 'contact',
    id: c.id,
    name: c.name,
    email: c.email,
    personalLink: invitation ? { purpose: 'rsvp', id: invitation.id, version: invitation.token_version } : null,
    feedLink: { purpose: 'feed-contact', id: c.id, version: c.feed_version ?? 0 },
    storeFeedHash: (db, hash) => storeContactFeedHash(db, c.id, hash),
  })
}

/**
 * The session's invited contacts, in invitation order: all of them, or (filter.coming) those who answered
 * on site or remotely, and (filter.settledBy) only those who answered by then.
 */
export async function invitedContacts(ctx: Pick<AppContext, 'config'>, db: Db, sessionId: number, filter: AttendeeFilter = {}): Promise<Recipient[]> {
  let query = db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select(['contact.id', 'contact.name', 'contact.email', 'contact.feed_version', 'invitation.id as invitation_id', 'invitation.token_version', 'invitation.answer'])
    .where('invitation.session_id', '=', sessionId)
  if (filter.coming) query = query.where('invitation.answer', 'in', ['on_site', 'remote'])
  if (filter.settledBy !== undefined) query = query.where('invitation.answered_at', '<=', filter.settledBy)
  const rows = await query.orderBy('invitation.id').execute()
  // The answer goes with them: a switch to visio tells those who said "sur place" they are now expected remotely.
  return rows.map((c) => ({ ...contactRecipient(ctx, c, { id: c.invitation_id, token_version: c.token_version }), answer: c.answer }))
}
