import type { FastifyInstance } from 'fastify'
import { addDays, todayIn } from '../calendar/zoned.js'
import type { Db } from '../db/schema.js'
import { readUntilChanged } from '../db/index.js'
import { findPlatform } from '../platforms/store.js'
import { notFound } from '../web/errors.js'
import { contentStamp, serveCached } from '../web/page-cache.js'
import { hashToken, looksLikeToken } from '../web/tokens.js'
import { feedText, sendCalendar } from './feeds.js'
import { presentSession } from './present.js'
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

export async function personalFeedRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  app.get('/feeds/:file', { config: { rateLimit: { max: 60, timeWindow: '1 minute' } } }, async (request, reply) => {
    const { file } = request.params as { file: string }
    const token = file.endsWith('.ics') ? file.slice(0, -4) : ''
    const hash = looksLikeToken(token) ? hashToken(token) : null
    // Whose link it is, remembered until something is written (a revoked link is seen at once).
    const owner = hash ? await readUntilChanged(ctx.db, `feed-owner:${hash}`, () => ownerOf(ctx.db, hash)) : undefined
    if (!owner) return notFound(request, reply)
    reply.header('x-robots-tag', 'noindex')
    // Kept under its owner, not its URL: the token itself never stays in memory (its hash does, as in the database).
    if (serveCached(request, reply, contentStamp(owner.version, ctx.clock()), `feed:${owner.kind}:${owner.id}`)) return reply
    const platform = await findPlatform(ctx.db, owner.platformId)
    const from = addDays(todayIn(platform.timezone, ctx.clock()), -365)
    const rows = await listSessionsByIds(ctx.db, await sessionIdsOf(ctx.db, owner, from))
    const sessions = rows.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock()))
    return sendCalendar(request, reply, feedText(platform, `Mes réunions — ${platform.name}`, sessions), { filename: 'mes-reunions.ics', personal: true })
  })
}
