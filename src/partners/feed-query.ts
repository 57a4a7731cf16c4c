import type { Db } from '../db/schema.js'
import { archivedName } from '../platforms/access.js'
import type { FeedSource } from '../sessions/personal-feed-routes.js'

// Read-only: a contact's personal feed (/feeds/{token}.ics) for sessions/, handed in by app.ts. Reads
// partners' tables and, across owners, session (its date) and content_version (the page cache's key).

export const contactFeeds: FeedSource = {
  kind: 'contact',
  findByHash: async (db: Db, hash: string) => {
    const contact = await db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
      .innerJoin('platform', 'platform.id', 'partner.platform_id')
      .leftJoin('content_version', 'content_version.platform_id', 'partner.platform_id')
      .select(['contact.id', 'partner.platform_id', 'content_version.version', 'platform.name', 'platform.archived_at'])
      .where('contact.feed_token_hash', '=', hash).executeTakeFirst()
    return contact ? { id: contact.id, platformId: contact.platform_id, version: contact.version, archivedPlatform: archivedName(contact) } : undefined
  },
  // The sessions they are invited to, unless they sent a colleague in their place.
  sessionIds: async (db: Db, contactId: number, from: string) => {
    const rows = await db.selectFrom('invitation').innerJoin('session', 'session.id', 'invitation.session_id').select('session.id')
      .where('invitation.contact_id', '=', contactId).where('invitation.answer', '!=', 'delegate').where('session.date', '>=', from).execute()
    return [...new Set(rows.map((r) => r.id))]
  },
}
