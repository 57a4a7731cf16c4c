import type { FastifyInstance } from 'fastify'
import { addDays, todayIn } from '../calendar/zoned.js'
import type { Db } from '../db/schema.js'
import { readUntilChanged } from '../db/index.js'
import { findPlatform } from '../platforms/store.js'
import { errorPage } from '../web/errors.js'
import { contentStamp, serveCached } from '../web/page-cache.js'
import { linkOpener, openedLink } from '../web/personal-links.js'
import { feedText, sendCalendar } from './feeds.js'
import { presentSession } from './view.js'
import { listSessionsByIds } from './store.js'

// `/feeds/{token}.ics`: a partner contact's or a holder's own sessions, for their calendar app. Whose link
// it is and which sessions are theirs is asked of their owner (partners/feed-query.ts, pitches/feed-query.ts),
// handed in by app.ts: sessions/ sits below both and reads neither's tables.

/** One kind of feed owner (contacts, holders): found by their feed token's hash, and their sessions. */
export interface FeedSource {
  /** 'contact' or 'holder': keeps two owners' cache entries apart. */
  kind: string
  /** The owner of that feed token hash, with their platform and its content version (what the page cache keys on). */
  findByHash: (db: Db, hash: string) => Promise<{ id: number; platformId: number; version: number | null; archivedPlatform: string | null } | undefined>
  /** The ids of the owner's sessions dated `from` (YYYY-MM-DD) or later. */
  sessionIds: (db: Db, ownerId: number, from: string) => Promise<number[]>
}

type FeedOwner = { source: FeedSource; id: number; platformId: number; version: number | null; archivedPlatform: string | null }

/** Whose link this is: the first source (in the order app.ts gives) that knows the hash. */
async function ownerOf(db: Db, sources: FeedSource[], hash: string): Promise<FeedOwner | undefined> {
  for (const source of sources) {
    const found = await source.findByHash(db, hash)
    if (found) return { source, ...found }
  }
  return undefined
}

export async function personalFeedRoutes(app: FastifyInstance, { feeds }: { feeds: FeedSource[] }) {
  const ctx = app.ctx
  const openFeed = linkOpener<FeedOwner>(app, {
    purpose: 'feed',
    tokenOf: (request) => {
      const { file } = request.params as { file: string }
      return file.endsWith('.ics') ? file.slice(0, -4) : ''
    },
    // Whose link it is, remembered until something is written (a replaced link is seen at once). A feed
    // link has no end: it lives as long as its owner, until they or a facilitator replace it.
    find: async (db, hash) => {
      const owner = await readUntilChanged(db, `feed-owner:${hash}`, () => ownerOf(db, feeds, hash))
      return owner ? { row: owner, platformId: owner.platformId, endsAt: null, archivedPlatform: owner.archivedPlatform } : undefined
    },
    // A calendar app told 410 stops asking; a person opening the link reads why.
    gone: async (request, reply, reason, platformId) => {
      const platform = await findPlatform(ctx.db, platformId)
      const why = reason === 'expired' ? "Ce lien d'agenda n'est plus valable." : "Ce lien d'agenda a été remplacé par un nouveau lien."
      return errorPage(request, reply, 410, "Lien d'agenda remplacé",
        `${why} Utilisez le lien de votre message le plus récent, ou demandez-le à ${platform.contact_name ?? "l'équipe d'animation"} (${platform.contact_email}).`)
    },
  })

  app.get('/feeds/:file', { preHandler: openFeed }, async (request, reply) => {
    const owner = openedLink<FeedOwner>(request).target.row
    reply.header('cache-control', 'private, no-cache')
    // Kept under its owner, not its URL: the token itself never stays in memory (its hash does, as in the database).
    if (serveCached(request, reply, contentStamp(owner.version, ctx.clock()), `feed:${owner.source.kind}:${owner.id}`)) return reply
    const platform = await findPlatform(ctx.db, owner.platformId)
    const from = addDays(todayIn(platform.timezone, ctx.clock()), -365)
    const rows = await listSessionsByIds(ctx.db, await owner.source.sessionIds(ctx.db, owner.id, from))
    const sessions = rows.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock()))
    return sendCalendar(request, reply, feedText(platform, `Mes réunions — ${platform.name}`, sessions), { filename: 'mes-reunions.ics', personal: true })
  })
}
