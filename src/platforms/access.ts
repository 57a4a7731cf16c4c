import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { errorPage } from '../web/errors.js'
import { canManage } from '../web/guards.js'
import { findPlatformBySlug, findPlatformVersion } from './store.js'

/**
 * The platform named in the URL if this facilitator manages it; another platform looks like it does not
 * exist, and so does an archived one (closed until an administrator restores it).
 */
export async function managedPlatform(request: FastifyRequest): Promise<Platform | null> {
  const { slug } = request.params as { slug?: string }
  if (!slug) return null
  const platform = await findPlatformBySlug(request.server.ctx.db, slug)
  return platform && canManage(request, platform.id) ? platform : null
}

/** The French 410 page of an archived platform's public URLs (pages, feeds, booking form). */
export function platformGone(request: FastifyRequest, reply: FastifyReply, platform: { name: string }) {
  return errorPage(request, reply, 410, 'Plateforme fermée',
    `La plateforme « ${platform.name} » n'est plus publiée sur ce site : ses séances, son agenda et ses calendriers n'y sont plus consultables.`)
}

/**
 * A preHandler for public routes under /{platform}/…: an archived platform answers 410 before the route
 * looks anything up. One cached look-up (findPlatformVersion), which the route's own look-up reuses.
 */
export async function refuseArchivedPlatform(request: FastifyRequest, reply: FastifyReply) {
  const { platform: slug } = request.params as { platform?: string }
  if (!slug) return
  const found = await findPlatformVersion(request.server.ctx.db, slug)
  if (found?.archived_at) return platformGone(request, reply, found)
}
