import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { feedCalendar } from '../calendar/ics.js'
import type { Platform } from '../db/schema.js'
import { etagMatches } from '../web/page-cache.js'
import { organizerOf, sessionEvent } from './calendar-event.js'
import type { SessionView } from './view.js'

// Subscription feeds: deterministic bytes (DTSTAMP is each session's last change), a strong ETag over them,
// and 304 when the client already has them. Cancelled sessions stay, with STATUS:CANCELLED.

export function feedText(platform: Platform, name: string, sessions: SessionView[]): string {
  return feedCalendar({
    name,
    description: `Réunions mensuelles de ${platform.name}`,
    refreshHours: 6,
    organizer: organizerOf(platform),
    events: sessions.map((s) => sessionEvent(platform, s, s.updatedAt)),
  })
}

/** Sends calendar text with ETag / If-None-Match; `private` for personal feeds. */
export function sendCalendar(request: FastifyRequest, reply: FastifyReply, body: string, options: { filename: string; personal: boolean; lastModified?: string }) {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`
  reply.header('etag', etag)
  reply.header('cache-control', options.personal ? 'private, no-cache' : 'public, max-age=300')
  if (options.lastModified) reply.header('last-modified', new Date(options.lastModified).toUTCString())
  if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send()
  reply.header('content-disposition', `inline; filename="${options.filename}"`)
  return reply.type('text/calendar; charset=utf-8').send(body)
}
