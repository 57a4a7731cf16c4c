import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import { findPlatform } from '../platforms/store.js'
import { queueSessionMail } from './notify.js'
import type { SessionProviders } from './recipient.js'
import { findSessionById, type SessionRow } from './store.js'

// Reminders before a session (default 7 days and 1 day before). They are decided from the session's
// CURRENT start each time the worker ticks, so a moved session never gets a stale reminder: the queue key
// includes the start instant, and a reminder whose window has passed is never sent late.

export function parseReminderDays(value: string): number[] {
  return [...new Set(value.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0 && n <= 60))].sort((a, b) => b - a)
}

/** The reminder (in days before) whose window `now` falls in, if any: [start − d, start − next smaller d). */
export function dueReminder(startsAt: string, zone: string, days: number[], now: Date): number | null {
  const start = DateTime.fromISO(startsAt, { zone })
  const t = DateTime.fromJSDate(now)
  if (t >= start) return null
  const sorted = [...days].sort((a, b) => b - a)
  for (let i = 0; i < sorted.length; i++) {
    const from = start.minus({ days: sorted[i]! })
    const until = i + 1 < sorted.length ? start.minus({ days: sorted[i + 1]! }) : start
    if (t >= from && t < until) return sorted[i]!
  }
  return null
}

/**
 * Queues the reminders that are due now; safe to run on every tick and from several workers. They go to
 * those who said they come (on site or remotely) and holders of confirmed pitches (`ctx.attendees`, handed
 * in by background.ts) — but not someone who answered or was confirmed after this reminder's window opened:
 * their confirmation email just told them.
 */
export async function queueDueReminders(ctx: AppContext & SessionProviders): Promise<number> {
  const now = ctx.clock()
  const horizon = DateTime.fromJSDate(now).plus({ days: 61 }).toUTC().toISO()!
  const candidates = await ctx.db.selectFrom('session').innerJoin('platform', 'platform.id', 'session.platform_id')
    .select(['session.id', 'session.starts_at', 'platform.timezone', 'platform.reminder_days'])
    .where('session.status', '=', 'published').where('session.starts_at', '>', now.toISOString()).where('session.starts_at', '<=', horizon)
    .where('platform.archived_at', 'is', null) // an archived platform's sessions are no longer announced
    .execute()
  let queued = 0
  for (const c of candidates) {
    const days = dueReminder(c.starts_at, c.timezone, parseReminderDays(c.reminder_days), now)
    if (days === null) continue
    queued += await ctx.db.transaction().execute(async (trx) => {
      const session = (await findSessionById(trx, c.id)) as SessionRow
      const platform = await findPlatform(trx, session.platform_id)
      let n = 0
      const windowStart = DateTime.fromISO(session.starts_at, { zone: c.timezone }).minus({ days }).toUTC().toISO()!
      for (const to of await ctx.attendees(trx, session.id, { coming: true, settledBy: windowStart })) {
        const id = await queueSessionMail(ctx, trx, platform, session, 'session.reminder', to, {
          itip: null, dedupeKey: `reminder:${session.id}:${days}:${session.starts_at}:${to.key}`,
        })
        if (id !== null) n++
      }
      return n
    })
  }
  return queued
}
