import type { FastifyRequest } from 'fastify'
import type { Db } from '../db/schema.js'
import { platformOf } from '../platforms/access.js'
import { findSessionByDate } from './store.js'

/**
 * For a route of the facilitator's platform scope (/admin/p/{slug}/sessions/:date/…): the scope's platform and
 * its session on the URL's date, or null when the platform has none that day.
 */
export async function scopeSession(db: Db, request: FastifyRequest) {
  const platform = platformOf(request)
  const { date } = request.params as { date: string }
  const session = await findSessionByDate(db, platform.id, date)
  return session ? { platform, session } : null
}
