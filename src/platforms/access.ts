import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { notFound, platformClosed } from '../web/errors.js'
import { canManage, requireLogin } from '../web/guards.js'
import { findPlatformBySlug, findPlatformVersion } from './store.js'
import { findTotp } from './totp-store.js'

/**
 * The platform named in the URL if this facilitator manages it; another platform looks like it does not
 * exist, and so does an archived one (closed until an administrator restores it).
 */
async function managedPlatform(request: FastifyRequest): Promise<Platform | null> {
  const { slug } = request.params as { slug?: string }
  if (!slug) return null
  const platform = await findPlatformBySlug(request.server.ctx.db, slug)
  return platform && canManage(request, platform.id) ? platform : null
}

/** A platform's name if an administrator archived it, else null (LinkTarget.archivedPlatform). */
export function archivedName(platform: { name: string; archived_at: string | null }): string | null {
  return platform.archived_at ? platform.name : null
}

/**
 * A preHandler for public routes under /{platform}/…: an archived platform answers 410 before the route
 * looks anything up. One cached look-up (findPlatformVersion), which the route's own look-up reuses.
 */
export async function refuseArchivedPlatform(request: FastifyRequest, reply: FastifyReply) {
  const { platform: slug } = request.params as { platform?: string }
  if (!slug) return
  const found = await findPlatformVersion(request.server.ctx.db, slug)
  if (found?.archived_at) return platformClosed(request, reply, found.name)
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The platform of a route under /admin/p/{slug}/…, set by requireManagedPlatform (platformOf reads it). */
    platform: Platform | null
  }
}

/**
 * The one preHandler of the facilitator's platform scope (/admin/p/{slug}/…, app.ts): a login is required
 * (an anonymous GET goes to the login page), then the platform named in the URL must be one this facilitator
 * manages — another, an unknown or an archived one answers 404 —, and one that requires two-factor login sends
 * an account without it to enrol; routes read the platform with platformOf(request).
 * A route that ran it earlier (an onRequest hook, before the body is read) has set request.platform: then
 * it is not looked up again.
 */
export async function requireManagedPlatform(request: FastifyRequest, reply: FastifyReply) {
  if (request.platform) return
  const refused = await requireLogin(request, reply)
  if (reply.sent) return refused
  const platform = await managedPlatform(request)
  if (!platform) return notFound(request, reply)
  // Added to a platform that requires two-factor login (or it was required since) while logged in without
  // it: no page of the platform until it is enrolled, from the account page ("Mon compte").
  if (platform.require_totp === 1 && !(await findTotp(request.server.ctx.db, request.login!.facilitatorId))) {
    return reply.redirect(enrolmentFor(platform), 303)
  }
  request.platform = platform
}

/** The enrolment page, saying which platform requires it (totp-routes.ts names it if the account runs it). */
const enrolmentFor = (platform: Pick<Platform, 'slug'>) => `/admin/account/totp?plateforme=${encodeURIComponent(platform.slug)}`

/** Where a platform's facilitator pages live: the scope's prefix, /admin/p/{slug}. */
export const platformBase = (platform: Pick<Platform, 'slug'>) => `/admin/p/${encodeURIComponent(platform.slug)}`

/** The managed platform of a route registered inside the platform scope. */
export function platformOf(request: FastifyRequest): Platform {
  if (!request.platform) throw new Error('platformOf: this route is not inside the /admin/p/:slug scope')
  return request.platform
}
