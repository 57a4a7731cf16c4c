import { DateTime } from 'luxon'
import { record } from '../audit/store.js'
import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { emailKey } from '../pitches/store.js'
import { erasePerson } from './erase.js'
import { DEFAULT_RETENTION_MONTHS } from './notice.js'
import { queueRetentionNotice } from './retention-mail.js'
import { ERASED_ADDRESS } from './tables.js'

// Retention (tracker 22): the identity of a person with no activity on a platform for its retention period
// (platform.retention_months, 36 by default: their last session, pitch or answer; a facilitator's edit of their
// row counts too) is erased by the background job, as an erasure on request would (erase.ts), logged with the
// actor 'system'. A person is one address across their roles: someone still active as a holder is not erased
// for an old walk-in presence. Erased rows no longer carry the address, so each record is erased once.
//
// Every run is announced a week before: when people will pass the period within NOTICE_DAYS, the job writes
// the run (retention_run: its date, its cutoff, how many holders, contacts and others) and mails the
// platform's facilitators once, with the figures only (the settings page shows the same figures). At the run,
// only those announced are erased (the announced cutoff, or a later one if the period was made longer since),
// so nobody is erased without the week's notice; someone active again in between is kept. The next run is
// announced once this one is done: at most one mail a week per platform.

/** How far ahead the facilitators are told what the next run will erase. */
export const NOTICE_DAYS = 7
/** At most this many people per platform and tick: a tick stays short; the rest follow on the next ticks. */
const PER_RUN = 50

export function retentionCutoff(now: Date, months = DEFAULT_RETENTION_MONTHS): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ months }).toISO()!
}

export type Role = 'holder' | 'contact' | 'other'
export interface Activity { email: string; at: string; role?: Role }

/** The addresses whose latest activity, in any role, is before the cutoff (pure). */
export function dueForErasure(activities: Activity[], cutoff: string): string[] {
  return dueByRole(activities, cutoff).emails
}

export interface DueCounts { emails: string[]; holders: number; contacts: number; others: number }

/** The same, with how many are holders (in any of their roles), else partner contacts, else others (pure). */
export function dueByRole(activities: Activity[], cutoff: string): DueCounts {
  const latest = new Map<string, { at: string; roles: Set<Role> }>()
  for (const a of activities) {
    const key = emailKey(a.email)
    if (key === ERASED_ADDRESS) continue
    const known = latest.get(key) ?? { at: a.at, roles: new Set<Role>() }
    if (a.at > known.at) known.at = a.at
    known.roles.add(a.role ?? 'other')
    latest.set(key, known)
  }
  const due = [...latest].filter(([, v]) => v.at < cutoff).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const count = (test: (roles: Set<Role>) => boolean) => due.filter(([, v]) => test(v.roles)).length
  return {
    emails: due.map(([email]) => email),
    holders: count((r) => r.has('holder')),
    contacts: count((r) => !r.has('holder') && r.has('contact')),
    others: count((r) => !r.has('holder') && !r.has('contact')),
  }
}

/** Every dated trace of activity of the platform's people, by address (read-only). */
export async function activities(db: Db, platformId: number): Promise<Activity[]> {
  const out: Activity[] = []
  const holders = await db.selectFrom('holder').leftJoin('pitch', 'pitch.holder_id', 'holder.id').leftJoin('session', 'session.id', 'pitch.session_id')
    .select(['holder.email', 'holder.updated_at', 'session.ends_at', 'pitch.updated_at as pitch_at'])
    .where('holder.platform_id', '=', platformId).where('holder.email', 'is not', null).execute()
  for (const h of holders) for (const at of [h.updated_at, h.ends_at, h.pitch_at]) if (at) out.push({ email: h.email!, at, role: 'holder' })
  const contacts = await db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
    .leftJoin('invitation', 'invitation.contact_id', 'contact.id').leftJoin('session', 'session.id', 'invitation.session_id')
    .select(['contact.email', 'contact.updated_at', 'invitation.answered_at', 'invitation.answer', 'session.ends_at'])
    .where('partner.platform_id', '=', platformId).execute()
  for (const c of contacts) {
    out.push({ email: c.email, at: c.updated_at, role: 'contact' })
    if (c.answered_at) out.push({ email: c.email, at: c.answered_at, role: 'contact' })
    // A session they said they would attend counts from its end.
    if (c.ends_at && (c.answer === 'on_site' || c.answer === 'remote')) out.push({ email: c.email, at: c.ends_at, role: 'contact' })
  }
  const present = await db.selectFrom('attendance').innerJoin('session', 'session.id', 'attendance.session_id')
    .select(['attendance.email', 'session.ends_at']).where('session.platform_id', '=', platformId).where('attendance.email', 'is not', null).execute()
  for (const a of present) out.push({ email: a.email!, at: a.ends_at, role: 'other' })
  return out
}

const addDays = (now: Date, days: number) => new Date(now.getTime() + days * 24 * 3600 * 1000)

function pendingRun(db: Db, platformId: number) {
  return db.selectFrom('retention_run').selectAll().where('platform_id', '=', platformId).where('done_at', 'is', null).executeTakeFirst()
}

/** The cutoff a run erases by: the announced one, or a later one if the period was made longer since. */
function runCutoff(announced: string, now: Date, months: number): string {
  const current = retentionCutoff(now, months)
  return current < announced ? current : announced
}

export interface RetentionPreview {
  months: number
  /** The announced run, with what it will erase if nobody is active again before it. */
  run: { runAt: string; cutoff: string; holders: number; contacts: number; others: number } | null
  /** With no run announced: how many people the next announcement would name (their period ends within a week). */
  next: { holders: number; contacts: number; others: number; total: number }
}

/** What the settings page says of the next run (read-only). */
export async function retentionPreview(db: Db, platform: Pick<Platform, 'id' | 'retention_months'>, now: Date): Promise<RetentionPreview> {
  const months = platform.retention_months ?? DEFAULT_RETENTION_MONTHS
  const acts = await activities(db, platform.id)
  const run = await pendingRun(db, platform.id)
  const figures = (d: DueCounts) => ({ holders: d.holders, contacts: d.contacts, others: d.others, total: d.emails.length })
  if (run) {
    const when = new Date(run.run_at) > now ? new Date(run.run_at) : now
    const due = dueByRole(acts, runCutoff(run.cutoff, when, months))
    return { months, run: { runAt: run.run_at, cutoff: run.cutoff, holders: due.holders, contacts: due.contacts, others: due.others }, next: figures(due) }
  }
  return { months, run: null, next: figures(dueByRole(acts, retentionCutoff(addDays(now, NOTICE_DAYS), months))) }
}

export interface RetentionResult { announced: number; erased: number }

/** The background job, on every platform: announces the next run a week ahead, erases those announced at the run. */
export async function runRetention(ctx: AppContext): Promise<RetentionResult> {
  const now = ctx.clock()
  const result: RetentionResult = { announced: 0, erased: 0 }
  for (const platform of await ctx.db.selectFrom('platform').selectAll().orderBy('id').execute()) {
    const months = platform.retention_months ?? DEFAULT_RETENTION_MONTHS
    const run = await pendingRun(ctx.db, platform.id)
    // An announced run waits for its day: nothing to read before then.
    if (run && run.run_at > now.toISOString()) continue
    const acts = await activities(ctx.db, platform.id)
    if (!run) {
      const runAt = addDays(now, NOTICE_DAYS)
      const cutoff = retentionCutoff(runAt, months)
      const due = dueByRole(acts, cutoff)
      if (due.emails.length === 0) continue
      await ctx.db.transaction().execute(async (trx) => {
        const values = { cutoff, run_at: runAt.toISOString(), announced_at: now.toISOString(), holders: due.holders, contacts: due.contacts, others: due.others, done_at: null }
        await trx.insertInto('retention_run').values({ platform_id: platform.id, ...values })
          .onConflict((oc) => oc.column('platform_id').doUpdateSet(values)).execute()
        await queueRetentionNotice(ctx, trx, platform, { runAt: values.run_at, cutoff, months, holders: due.holders, contacts: due.contacts, others: due.others })
        await record(trx, { platformId: platform.id, actor: { kind: 'system' }, action: 'retention.announce', counts: { holders: due.holders, contacts: due.contacts, others: due.others } }, now.toISOString())
      })
      result.announced++
      continue
    }
    const due = dueForErasure(acts, runCutoff(run.cutoff, now, months))
    for (const email of due.slice(0, PER_RUN)) {
      await erasePerson({ db: ctx.db, platformId: platform.id, email, now, dataDir: ctx.config.dataDir, actor: { kind: 'system' }, reason: 'retention' })
      result.erased++
    }
    if (due.length <= PER_RUN) {
      await ctx.db.updateTable('retention_run').set({ done_at: now.toISOString() }).where('platform_id', '=', platform.id).execute()
    }
  }
  return result
}
