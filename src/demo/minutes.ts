import { todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Platform } from '../db/schema.js'
import { sendMinutes } from '../minutes/send.js'
import { latestVersionNumber, saveDraft } from '../minutes/store.js'
import { listSessions } from '../sessions/store.js'

// The demo's most recent past session (recorded by record.ts) has its minutes sent, through the facilitator's
// own path: a draft introduction, then version 1 to the partners who came and to each holder (their messages
// wait in the outbox). Idempotent: once a version is sent, a second run changes nothing.

const INTRO = "Merci à toutes et à tous pour cette matinée : trois initiatives présentées, des pistes concrètes pour chacune. Prochaine séance : voir le calendrier de la plateforme."

export async function seedDemoMinutes(ctx: AppContext, platform: Platform): Promise<number> {
  const now = ctx.clock()
  const today = todayIn(platform.timezone, now)
  const [session] = (await listSessions(ctx.db, platform.id, { from: `${today.slice(0, 4)}-01-01`, statuses: ['published'] })).filter((s) => s.date < today).slice(-1)
  if (!session || (await latestVersionNumber(ctx.db, session.id)) > 0) return 0
  // Written and sent the day after the session (or now, if that day has not come yet).
  const sentAt = new Date(Math.min(Date.parse(session.ends_at) + 86_400_000, now.getTime()))
  const then: AppContext = { ...ctx, clock: () => sentAt }
  await ctx.db.transaction().execute((trx) => saveDraft(trx, session.id, { intro: INTRO, texts: new Map() }, null, sentAt.toISOString()))
  const outcome = await sendMinutes(then, platform, session, 1, null)
  return outcome.kind === 'sent' ? outcome.partners + outcome.holders : 0
}
