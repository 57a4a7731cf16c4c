import { formatLongDate, inSentence, todayIn } from '../calendar/zoned.js'
import type { Db, MinutesVersion } from '../db/schema.js'
import { holderView, type MinutesView, parseDocument, partnersView } from './document.js'
import { sessionOfPitch } from './reads.js'
import { sentVersions } from './store.js'

// What a reader's personal page shows of the minutes: only sent versions, latest first. app.ts hands these to
// the holder's page (pitches/) and the partner's page (partners/), which sit below minutes/.

export interface ReaderMinutes {
  version: number
  corrected: boolean
  /** "3 décembre 2026": the day it was sent, in the platform's zone. */
  sentOn: string
  view: MinutesView
}

function sentOn(v: Pick<MinutesVersion, 'sent_at'>, zone: string): string {
  return inSentence(formatLongDate(todayIn(zone, new Date(v.sent_at))))
}

/** Every sent version of the session's minutes, whole (the partner's page). */
export async function partnerMinutes(db: Db, sessionId: number, zone: string): Promise<ReaderMinutes[]> {
  return (await sentVersions(db, sessionId)).map((v) => ({ version: v.version, corrected: v.version > 1, sentOn: sentOn(v, zone), view: partnersView(parseDocument(v.document)) }))
}

/** The holder's own part of every sent version of their pitch's session (the holder's page). */
export async function holderMinutes(db: Db, pitchId: number, zone: string): Promise<ReaderMinutes[]> {
  const sessionId = await sessionOfPitch(db, pitchId)
  if (sessionId === null) return []
  const out: ReaderMinutes[] = []
  for (const v of await sentVersions(db, sessionId)) {
    const view = holderView(parseDocument(v.document), pitchId)
    if (view) out.push({ version: v.version, corrected: v.version > 1, sentOn: sentOn(v, zone), view })
  }
  return out
}
