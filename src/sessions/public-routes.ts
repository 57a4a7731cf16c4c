import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { singleEventCalendar } from '../calendar/ics.js'
import { addDays, formatTime, isValidDate, todayIn } from '../calendar/zoned.js'
import type { Db, Platform } from '../db/schema.js'
import { findCommuneBySlug, findPlatform, findPlatformVersion, listPlatforms } from '../platforms/store.js'
import { notFound, platformClosed } from '../web/errors.js'
import { contentStamp, serveCached } from '../web/page-cache.js'
import { page } from '../web/views.js'
import { timeAgenda } from './agenda.js'
import { organizerOf, sessionEvent } from './calendar-event.js'
import { feedText, sendCalendar } from './feeds.js'
import { presentSession, type SessionView } from './view.js'
import { findMovedSession, findSessionByDate, listAgenda, listSessions } from './store.js'

// Anyone: the platforms, upcoming sessions, one session, its .ics, sessions.json and the public feeds.
// Each platform page and feed is rendered once per change of the platform's content (page-cache.ts).

/** How far back feeds keep sessions, so a calendar still shows recent and cancelled ones. */
const FEED_PAST_DAYS = 365

const CACHED = Symbol('cached')

/**
 * What the public pages show of pitches, handed in by app.ts: pitches/ sits above sessions/ (it books
 * into sessions), so sessions/ never imports it.
 */
export interface PublicPitches {
  freeSlotsBySession: (db: Db, sessions: Array<{ id: number; pitch_slots: number }>) => Promise<Map<number, number>>
  publicAgendaPitches: (db: Db, sessionId: number) => Promise<Array<{ position: number; label: string }>>
}

export async function publicRoutes(app: FastifyInstance, { pitches: { freeSlotsBySession, publicAgendaPitches } }: { pitches: PublicPitches }) {
  const ctx = app.ctx
  const present = (platform: Platform, rows: Awaited<ReturnType<typeof listSessions>>) =>
    rows.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock()))

  /**
   * The platform of the URL — or CACHED when the page was answered already: from memory (one query: the
   * platform's content version), or 410 for an archived platform; undefined when there is no such platform.
   */
  async function platformOf(request: FastifyRequest, reply: FastifyReply): Promise<Platform | typeof CACHED | undefined> {
    const { platform: slug } = request.params as { platform: string }
    const found = await findPlatformVersion(ctx.db, slug)
    if (!found) return undefined
    if (found.archived_at) {
      platformClosed(request, reply, found.name)
      return CACHED
    }
    if (serveCached(request, reply, contentStamp(found.version, ctx.clock()))) return CACHED
    return findPlatform(ctx.db, found.id)
  }

  app.get('/', async (request, reply) => {
    const platforms = await listPlatforms(ctx.db)
    if (platforms.length === 1) return reply.redirect(`/${encodeURIComponent(platforms[0]!.slug)}`, 302)
    return page(request, reply, 'public/platforms.eta', { title: 'Plateformes', platforms })
  })

  async function upcoming(platform: Platform) {
    const today = todayIn(platform.timezone, ctx.clock())
    return listSessions(ctx.db, platform.id, { from: today, statuses: ['published', 'cancelled'] })
  }

  app.get('/:platform', async (request, reply) => {
    const platform = await platformOf(request, reply)
    if (platform === CACHED) return reply
    if (!platform) return notFound(request, reply)
    const sessions = present(platform, await upcoming(platform))
    return page(request, reply, 'public/platform.eta', {
      title: platform.name, siteName: platform.name, homeHref: `/${platform.slug}`, platform, sessions,
      feedUrl: `${ctx.config.publicUrl}/${platform.slug}/calendar.ics`,
    })
  })

  app.get('/:platform/sessions.json', async (request, reply) => {
    const platform = await platformOf(request, reply)
    if (platform === CACHED) return reply
    if (!platform) return notFound(request, reply)
    const rows = await upcoming(platform)
    const free = await freeSlotsBySession(ctx.db, rows)
    reply.header('cache-control', 'public, max-age=60')
    reply.header('access-control-allow-origin', '*')
    return present(platform, rows).map((s) => ({
      date: s.date, start: s.start, end: s.end, commune: s.communeName, venue: s.venueName,
      address: s.venueAddress, mode: s.mode, status: s.status, videoconference: s.videoUrl !== null,
      // A cancelled session takes no booking: no free slot to show.
      url: s.url, ics: s.icsUrl, freePitchSlots: s.status === 'cancelled' ? 0 : free.get(s.id) ?? 0,
    }))
  })

  app.get('/:platform/calendar.ics', async (request, reply) => {
    const platform = await platformOf(request, reply)
    if (platform === CACHED) return reply
    if (!platform) return notFound(request, reply)
    const sessions = await feedSessions(platform)
    return sendFeed(request, reply, platform, platform.name, sessions, `${platform.slug}.ics`)
  })

  app.get('/:platform/communes/:commune/calendar.ics', async (request, reply) => {
    const platform = await platformOf(request, reply)
    if (platform === CACHED) return reply
    const { commune: slug } = request.params as { commune: string }
    const commune = platform ? await findCommuneBySlug(ctx.db, platform.id, slug.replace(/\.ics$/, '')) : undefined
    if (!platform || !commune) return notFound(request, reply)
    const sessions = (await feedSessions(platform)).filter((s) => s.communeName === commune.name)
    return sendFeed(request, reply, platform, `${platform.name} — ${commune.name}`, sessions, `${platform.slug}-${commune.slug}.ics`)
  })

  async function feedSessions(platform: Platform): Promise<SessionView[]> {
    const from = addDays(todayIn(platform.timezone, ctx.clock()), -FEED_PAST_DAYS)
    return present(platform, await listSessions(ctx.db, platform.id, { from, statuses: ['published', 'cancelled'] }))
  }

  function sendFeed(request: FastifyRequest, reply: FastifyReply, platform: Platform, name: string, sessions: SessionView[], filename: string) {
    const lastModified = sessions.reduce((m, s) => (s.updatedAt > m ? s.updatedAt : m), platform.updated_at)
    return sendCalendar(request, reply, feedText(platform, name, sessions), { filename, personal: false, lastModified })
  }

  // One route for the page and its .ics: the router cannot tell `2026-03-27` from `2026-03-27.ics` otherwise.
  app.get('/:platform/sessions/:date', async (request, reply) => {
    const platform = await platformOf(request, reply)
    if (platform === CACHED) return reply
    const { date: raw } = request.params as { date: string }
    const wantsIcs = raw.endsWith('.ics')
    const date = wantsIcs ? raw.slice(0, -4) : raw
    const session = platform && isValidDate(date) ? await findSessionByDate(ctx.db, platform.id, date) : undefined
    if (platform && isValidDate(date) && !session) {
      // Moved to another day: every link sent before the move leads to its new date.
      const moved = await findMovedSession(ctx.db, platform.id, date)
      if (moved && moved.status !== 'draft') return reply.redirect(`/${platform.slug}/sessions/${moved.date}${wantsIcs ? '.ics' : ''}`, 301)
    }
    if (!platform || !session || session.status === 'draft') return notFound(request, reply)
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    if (wantsIcs) {
      const body = singleEventCalendar(sessionEvent(platform, view, view.updatedAt), organizerOf(platform))
      return sendCalendar(request, reply, body, { filename: `${platform.slug}-${date}.ics`, personal: false, lastModified: view.updatedAt })
    }
    const [items, pitches, free] = await Promise.all([
      listAgenda(ctx.db, session.id), publicAgendaPitches(ctx.db, session.id), freeSlotsBySession(ctx.db, [session]),
    ])
    const agenda = timeAgenda(items, session.start_time).map((a) => ({ time: formatTime(a.start), title: a.item.title, slotNumber: a.slotNumber }))
    const feedHttps = `${ctx.config.publicUrl}/${platform.slug}/calendar.ics`
    return page(request, reply, 'public/session.eta', {
      title: `${platform.name} — ${view.longDate}`, siteName: platform.name, homeHref: `/${platform.slug}`,
      platform, session: view, agenda, pitches, freeSlots: free.get(session.id) ?? 0,
      bookable: view.status === 'published' && !view.held,
      feedHttps, feedWebcal: feedHttps.replace(/^https?:/, 'webcal:'),
    })
  })
}
