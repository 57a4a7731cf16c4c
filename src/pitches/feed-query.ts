import type { Db } from '../db/schema.js'
import { archivedName } from '../platforms/access.js'
import type { FeedSource } from '../sessions/personal-feed-routes.js'

// Read-only: a holder's personal feed (/feeds/{token}.ics) for sessions/, handed in by app.ts. Reads
// pitches' tables and, across owners, session (its date) and content_version (the page cache's key).

export const holderFeeds: FeedSource = {
  kind: 'holder',
  findByHash: async (db: Db, hash: string) => {
    const holder = await db.selectFrom('holder').innerJoin('platform', 'platform.id', 'holder.platform_id')
      .leftJoin('content_version', 'content_version.platform_id', 'holder.platform_id')
      .select(['holder.id', 'holder.platform_id', 'content_version.version', 'platform.name', 'platform.archived_at'])
      .where('holder.feed_token_hash', '=', hash).executeTakeFirst()
    return holder ? { id: holder.id, platformId: holder.platform_id, version: holder.version, archivedPlatform: archivedName(holder) } : undefined
  },
  // The sessions of their pitches still pending or confirmed.
  sessionIds: async (db: Db, holderId: number, from: string) => {
    const rows = await db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').select('session.id')
      .where('pitch.holder_id', '=', holderId).where('pitch.status', 'in', ['pending', 'confirmed']).where('session.date', '>=', from).execute()
    return [...new Set(rows.map((r) => r.id))]
  },
}
