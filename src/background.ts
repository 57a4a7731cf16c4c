import { attendeesOf } from './attendees.js'
import type { AppContext } from './context.js'
import { purgeOldMail } from './mail/retention.js'
import { releaseLapsedHolds } from './pitches/public-booking.js'
import { remindOverdueReferrals } from './referrals/reminders.js'
import { runRetention } from './privacy/retention.js'
import { kickReplyPoll } from './replies/poller.js'
import { queueDueReminders } from './sessions/reminders.js'
import { purgeExpiredLogins } from './web/login.js'
import { purgeRateLimits } from './web/rate-limit-store.js'

// What runs on the mail worker's beat, before due mail is delivered: reminders that became due, and
// (about once a minute) the clean-up of expired logins and rate-limit windows; about once an hour, the
// content of old messages (mail/retention.ts: a scan of the outbox, and nothing is due to the minute).

let lastPurge = 0
let lastMailPurge = 0
let lastRetention = 0

export async function backgroundTick(ctx: AppContext): Promise<void> {
  // Who is reminded is asked of partners/ and pitches/ (src/attendees.ts): sessions/ imports neither.
  await queueDueReminders({ ...ctx, attendees: attendeesOf(ctx) })
  // Bookings nobody confirmed from the email in time give their slot back (pitches/holds.ts).
  await releaseLapsedHolds(ctx)
  // Referrals whose follow-up day passed with no news: one reminder to the partner (referrals/reminders.ts).
  await remindOverdueReferrals(ctx, ctx.clock())
  // Calendar answers from the ORGANIZER mailbox (REPLY_IMAP_URL): about once a minute, without waiting for it.
  kickReplyPoll(ctx)
  const now = ctx.clock()
  if (now.getTime() - lastPurge < 60_000) return
  lastPurge = now.getTime()
  await purgeExpiredLogins(ctx.db, now)
  await purgeRateLimits(ctx.db, now)
  if (now.getTime() - lastMailPurge < 3600_000) return
  lastMailPurge = now.getTime()
  await purgeOldMail(ctx.db, ctx.config.dataDir, now)
  // About once a day: people with no activity for the retention period lose their identity (privacy/retention.ts).
  if (now.getTime() - lastRetention < 24 * 3600_000) return
  lastRetention = now.getTime()
  await runRetention(ctx)
}
