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

// `/feeds/{token}.ics`: a partner contact's or a holder's own sessions, for their calendar app.

/** Whose link this is, and their platform's content version (what the page cache keys on). */
async function ownerOf(db: Db, hash: string) {
  const contact = await db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
    .leftJoin('content_version', 'content_version.platform_id', 'partner.platform_id')
    .select(['contact.id', 'partner.platform_id', 'content_version.version']).where('contact.feed_token_hash', '=', hash).executeTakeFirst()
  if (contact) return { kind: 'contact' as const, id: contact.id, platformId: contact.platform_id, version: contact.version }
  const holder = await db.selectFrom('holder').leftJoin('content_version', 'content_version.platform_id', 'holder.platform_id')
    .select(['holder.id', 'holder.platform_id', 'content_version.version']).where('holder.feed_token_hash', '=', hash).executeTakeFirst()
  return holder ? { kind: 'holder' as const, id: holder.id, platformId: holder.platform_id, version: holder.version } : undefined
}

async function sessionIdsOf(db: Db, owner: { kind: 'contact' | 'holder'; id: number }, from: string): Promise<number[]> {
  const rows = owner.kind === 'contact'
    ? await db.selectFrom('invitation').innerJoin('session', 'session.id', 'invitation.session_id').select('session.id')
        .where('invitation.contact_id', '=', owner.id).where('invitation.answer', '!=', 'delegate').where('session.date', '>=', from).execute()
    : await db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').select('session.id')
        .where('pitch.holder_id', '=', owner.id).where('pitch.status', 'in', ['pending', 'confirmed']).where('session.date', '>=', from).execute()
  return [...new Set(rows.map((r) => r.id))]
}

type FeedOwner = NonNullable<Awaited<ReturnType<typeof ownerOf>>>

export async function personalFeedRoutes(app: FastifyInstance) {
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
      const owner = await readUntilChanged(db, `feed-owner:${hash}`, () => ownerOf(db, hash))
      return owner ? { row: owner, platformId: owner.platformId, endsAt: null } : undefined
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
    if (serveCached(request, reply, contentStamp(owner.version, ctx.clock()), `feed:${owner.kind}:${owner.id}`)) return reply
    const platform = await findPlatform(ctx.db, owner.platformId)
    const from = addDays(todayIn(platform.timezone, ctx.clock()), -365)
    const rows = await listSessionsByIds(ctx.db, await sessionIdsOf(ctx.db, owner, from))
    const sessions = rows.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock()))
    return sendCalendar(request, reply, feedText(platform, `Mes réunions — ${platform.name}`, sessions), { filename: 'mes-reunions.ics', personal: true })
  })
}
