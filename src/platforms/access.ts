import type { FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { canManage } from '../web/guards.js'
import { findPlatformBySlug } from './store.js'

/** The platform named in the URL if this facilitator manages it; another platform looks like it does not exist. */
export async function managedPlatform(request: FastifyRequest): Promise<Platform | null> {
  const { slug } = request.params as { slug?: string }
  if (!slug) return null
  const platform = await findPlatformBySlug(request.server.ctx.db, slug)
  return platform && canManage(request, platform.id) ? platform : null
}
