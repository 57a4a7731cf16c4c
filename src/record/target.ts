import type { FastifyRequest } from 'fastify'
import { inSentence, todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { presentSession } from '../sessions/view.js'
import { findSessionByDate, type SessionRow } from '../sessions/store.js'

// What both record pages start from: the platform (checked by the /admin/p/:slug scope) and the session.

/** Attendance and the record open on the session's day, for a published session. */
export function recordOpen(session: Pick<SessionRow, 'status' | 'date'>, today: string): boolean {
  return session.status === 'published' && session.date <= today
}

export async function recordTarget(ctx: AppContext, request: FastifyRequest) {
  const platform = platformOf(request)
  const { date } = request.params as { date: string }
  const session = /^\d{4}-\d{2}-\d{2}$/.test(date) ? await findSessionByDate(ctx.db, platform.id, date) : undefined
  if (!session || session.status === 'draft') return null
  const today = todayIn(platform.timezone, ctx.clock())
  return { platform, session, today, open: recordOpen(session, today) }
}

export type RecordTarget = NonNullable<Awaited<ReturnType<typeof recordTarget>>>

/** The data every record page shows: the session, and the links back to it. */
export function pageCommon(ctx: AppContext, platform: Platform, session: SessionRow) {
  const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
  const base = platformBase(platform)
  return { platform, base, session: view, here: `${base}/sessions/${session.date}`, day: inSentence(view.longDate) }
}
