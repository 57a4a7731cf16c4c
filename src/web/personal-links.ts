import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import type { Db } from '../db/schema.js'
import { notFound, platformClosed } from './errors.js'
import { countGuess, isGuessing, tooManyGuesses } from './guess-limit.js'
import { hashToken, looksLikeToken } from './tokens.js'

// The one way a personal link (/pitch/{token}, /rsvp/{token}, /feeds/{token}.ics) is opened, whoever owns the
// row behind it. In order, before any CSRF check:
//   1. an address that guessed wrong too often waits (429, French page: guess-limit.ts) — even with a right
//      token, so a hit cannot be told from a miss while the limit holds;
//   2. a token of the wrong shape, or one nobody holds, is a guess: counted against its address, then 404;
//   3. a link that was replaced or revoked (its hash is in retired_link) or whose end has passed: 410 with a
//      French page saying why and whom to contact — an old email opened again is not a guess;
//   4. otherwise the row is handed to the route (openedLink(request)). A valid link is never counted, so an
//      organisation behind one address, its mail scanner and a calendar service are never refused.

export { GUESSES_PER_MINUTE } from './guess-limit.js'

export type LinkPurpose = 'pitch' | 'rsvp' | 'feed' | 'referral'
export type GoneReason = 'replaced' | 'revoked' | 'expired'

export interface LinkTarget<T> {
  row: T
  platformId: number
  /** ISO instant after which the link answers 410 "expiré"; null: no end. */
  endsAt: string | null
  /**
   * The name of the link's platform when an administrator archived it (the link then answers 410 "Plateforme
   * fermée", #17), else null: told by the lookup that found the row, so opening a link costs no query more.
   */
  archivedPlatform: string | null
}

export interface LinkKind<T> {
  purpose: LinkPurpose
  /** The row whose current token hashes to `hash`, if any. */
  find: (db: Db, hash: string) => Promise<LinkTarget<T> | undefined>
  /** The 410 page, in the owner's words (what the link was, whom to write to). */
  gone: (request: FastifyRequest, reply: FastifyReply, reason: GoneReason, platformId: number) => Promise<unknown> | unknown
  /** Where the token sits in the URL: the `:token` parameter by default. */
  tokenOf?: (request: FastifyRequest) => string
}

export interface OpenedLink<T> { token: string; hash: string; target: LinkTarget<T> }

declare module 'fastify' {
  interface FastifyRequest {
    personalLink: OpenedLink<unknown> | null
  }
}

/** Registered once at the root. */
export function registerPersonalLinks(app: FastifyInstance) {
  app.decorateRequest('personalLink', null)
}

/** A link's hash kept aside so it answers 410: call it in the transaction that gives the row its new token. */
export async function retireLink(db: Db, link: { hash: string; purpose: LinkPurpose; platformId: number; reason: 'replaced' | 'revoked' }, now: string) {
  await db.insertInto('retired_link')
    .values({ token_hash: link.hash, purpose: link.purpose, platform_id: link.platformId, reason: link.reason, retired_at: now })
    .onConflict((oc) => oc.column('token_hash').doNothing()).execute()
}

/** A retired link made current again (an undone "nouveau lien", partners/link-undo.ts): it opens again. */
export async function unretireLink(db: Db, hash: string): Promise<void> {
  await db.deleteFrom('retired_link').where('token_hash', '=', hash).execute()
}

export function findRetiredLink(db: Db, hash: string) {
  return db.selectFrom('retired_link').select(['purpose', 'platform_id', 'reason']).where('token_hash', '=', hash).executeTakeFirst()
}

/** The preHandler that opens one kind of link; the route then reads openedLink<T>(request). */
export function linkOpener<T>(app: FastifyInstance, kind: LinkKind<T>): preHandlerAsyncHookHandler {
  const { db, clock } = app.ctx
  const tokenOf = kind.tokenOf ?? ((request: FastifyRequest) => (request.params as { token: string }).token)
  return async function openLink(request, reply) {
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow')
    const wait = await isGuessing(request)
    if (wait !== null) return tooManyGuesses(request, reply, wait)
    const token = tokenOf(request)
    const hash = looksLikeToken(token) ? hashToken(token) : null
    const target = hash ? await kind.find(db, hash) : undefined
    if (hash && target) {
      // An archived platform's links answer 410 like its public pages (#17): data kept, nothing shown.
      if (target.archivedPlatform !== null) return platformClosed(request, reply, target.archivedPlatform)
      if (target.endsAt !== null && clock().getTime() > Date.parse(target.endsAt)) return kind.gone(request, reply, 'expired', target.platformId)
      request.personalLink = { token, hash, target }
      return
    }
    const retired = hash ? await findRetiredLink(db, hash) : undefined
    if (retired && retired.purpose === kind.purpose) return kind.gone(request, reply, retired.reason, retired.platform_id)
    await countGuess(request)
    return notFound(request, reply)
  }
}

export function openedLink<T>(request: FastifyRequest): OpenedLink<T> {
  if (!request.personalLink) throw new Error('openedLink() without linkOpener() in the route preHandler')
  return request.personalLink as OpenedLink<T>
}
