import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { emailKey } from '../pitches/store.js'
import { erasePerson } from './erase.js'
import { ERASED_ADDRESS } from './tables.js'

// Retention (issue #17): the identity of a person with no activity on a platform for RETENTION_MONTHS (their
// last session, pitch or answer; a facilitator's edit of their row counts too) is erased by the background job,
// as an erasure on request would (erase.ts), logged with the actor 'system'. A person is one address across
// their roles: someone still active as a holder is not erased for an old walk-in presence. Erased rows no
// longer carry the address, so each record is erased once.

/** 36 months after the last activity (a per-platform setting needs a platform column: not there yet). */
export const RETENTION_MONTHS = 36
/** How far ahead the facilitator is told what the next runs will erase. */
export const NOTICE_DAYS = 7
/** At most this many people per platform and run: a tick stays short; the rest follow on the next runs. */
const PER_RUN = 50

export function retentionCutoff(now: Date, months = RETENTION_MONTHS): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ months }).toISO()!
}

export interface Activity { email: string; at: string }

/** The addresses whose latest activity, in any role, is before the cutoff (pure). */
export function dueForErasure(activities: Activity[], cutoff: string): string[] {
  const latest = new Map<string, string>()
  for (const a of activities) {
    const key = emailKey(a.email)
    if (key === ERASED_ADDRESS) continue
    const known = latest.get(key)
    if (!known || a.at > known) latest.set(key, a.at)
  }
  return [...latest].filter(([, at]) => at < cutoff).map(([email]) => email).sort()
}

/** Every dated trace of activity of the platform's people, by address (read-only). */
export async function activities(db: Db, platformId: number): Promise<Activity[]> {
  const out: Activity[] = []
  const holders = await db.selectFrom('holder').leftJoin('pitch', 'pitch.holder_id', 'holder.id').leftJoin('session', 'session.id', 'pitch.session_id')
    .select(['holder.email', 'holder.updated_at', 'session.ends_at', 'pitch.updated_at as pitch_at'])
    .where('holder.platform_id', '=', platformId).where('holder.email', 'is not', null).execute()
  for (const h of holders) for (const at of [h.updated_at, h.ends_at, h.pitch_at]) if (at) out.push({ email: h.email!, at })
  const contacts = await db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
    .leftJoin('invitation', 'invitation.contact_id', 'contact.id').leftJoin('session', 'session.id', 'invitation.session_id')
    .select(['contact.email', 'contact.updated_at', 'invitation.answered_at', 'invitation.answer', 'session.ends_at'])
    .where('partner.platform_id', '=', platformId).execute()
  for (const c of contacts) {
    out.push({ email: c.email, at: c.updated_at })
    if (c.answered_at) out.push({ email: c.email, at: c.answered_at })
    // A session they said they would attend counts from its end.
    if (c.ends_at && (c.answer === 'on_site' || c.answer === 'remote')) out.push({ email: c.email, at: c.ends_at })
  }
  const present = await db.selectFrom('attendance').innerJoin('session', 'session.id', 'attendance.session_id')
    .select(['attendance.email', 'session.ends_at']).where('session.platform_id', '=', platformId).where('attendance.email', 'is not', null).execute()
  for (const a of present) out.push({ email: a.email!, at: a.ends_at })
  return out
}

/** How many people the runs of the coming NOTICE_DAYS will erase: what the facilitator is told beforehand. */
export async function comingErasures(db: Db, platformId: number, now: Date): Promise<{ due: number; within: number }> {
  const acts = await activities(db, platformId)
  const due = dueForErasure(acts, retentionCutoff(now)).length
  const soon = dueForErasure(acts, retentionCutoff(new Date(now.getTime() + NOTICE_DAYS * 24 * 3600 * 1000))).length
  return { due, within: soon - due }
}

/** The background job: erases, on every platform, the people past the retention period. Returns how many. */
export async function runRetention(ctx: AppContext): Promise<number> {
  const now = ctx.clock()
  const cutoff = retentionCutoff(now)
  let erased = 0
  for (const platform of await ctx.db.selectFrom('platform').select('id').orderBy('id').execute()) {
    for (const email of dueForErasure(await activities(ctx.db, platform.id), cutoff).slice(0, PER_RUN)) {
      await erasePerson({ db: ctx.db, platformId: platform.id, email, now, dataDir: ctx.config.dataDir, actor: { kind: 'system' }, reason: 'retention' })
      erased++
    }
  }
  return erased
}
