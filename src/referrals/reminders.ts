import { DateTime } from 'luxon'
import { todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import { queuePartnerMail } from './mail.js'
import { overdueUnreminded } from './reads.js'
import { isOverdue } from './status.js'
import { claimReminder } from './store.js'

// The one reminder of an overdue referral (background.ts, on every tick): its follow-up day has passed in
// the platform's zone and nobody said anything since. reminded_at is claimed before the mail is queued, in
// the same transaction, so two workers (or two ticks) never send it twice; a later update does not rearm it.

export async function remindOverdueReferrals(ctx: AppContext, now: Date): Promise<number> {
  // Every zone's today is at most the UTC day after: the query narrows, isOverdue decides per platform.
  const latest = DateTime.fromJSDate(now, { zone: 'utc' }).plus({ days: 1 }).toISODate()!
  let sent = 0
  for (const c of await overdueUnreminded(ctx.db, latest)) {
    const today = todayIn(c.timezone, now)
    if (!isOverdue(c, today)) continue
    sent += await ctx.db.transaction().execute(async (trx) => {
      if (!(await claimReminder(trx, c.id, now.toISOString()))) return 0
      return queuePartnerMail(ctx, trx, c.id, 'referral.reminder', now)
    })
  }
  return sent
}
