import type { Db, Platform } from '../db/schema.js'
import { adviceAuthor, adviceOfPitches } from '../partners/advice.js'
import { heldPitches, referralsOfPitches } from '../record/reads.js'
import { attendanceWithNames, pitchRecords } from '../record/store.js'
import type { SessionRow } from '../sessions/store.js'
import type { SessionView } from '../sessions/view.js'
import { buildMinutes, type MinutesDocument, type MinutesPitch } from './document.js'
import { findDraft, pitchTexts } from './store.js'

// The minutes as they stand now: the session's record (record/, partners/ advice, referrals/) with the
// facilitator's draft texts, built into one document by document.ts.

export interface Gathered {
  doc: MinutesDocument
  /** The record's summary of each pitch, for the draft form's "texte d'origine". */
  summaries: Map<number, string | null>
  /** The draft's own texts (null: none saved), by pitch. */
  drafted: Map<number, string | null>
  intro: string | null
}

export async function gatherMinutes(db: Db, platform: Platform, session: SessionRow, view: SessionView): Promise<Gathered> {
  const pitches = await heldPitches(db, session.id)
  const ids = pitches.map((p) => p.id)
  const [attendance, records, advice, referrals, draft, texts] = await Promise.all([
    attendanceWithNames(db, session.id), pitchRecords(db, ids), adviceOfPitches(db, ids), referralsOfPitches(db, ids),
    findDraft(db, session.id), pitchTexts(db, session.id),
  ])
  const recordOf = new Map(records.map((r) => [r.pitch_id, r]))
  const drafted = new Map(texts.map((t) => [t.pitch_id, t.text]))
  const present = attendance
    .filter((a) => a.holder_id === null && (a.presence === 'on_site' || a.presence === 'remote'))
    .map((a) => ({ name: a.contact_name ?? a.name ?? '—', organisation: a.partner_name ?? a.organisation, remote: a.presence === 'remote' }))
  const items: MinutesPitch[] = pitches.map((p) => ({
    pitchId: p.id, holderId: p.holderId, title: p.title, holderName: p.holderName, named: p.sharesContact === 1,
    text: drafted.get(p.id) ?? recordOf.get(p.id)?.summary ?? null,
    advice: advice.filter((a) => a.pitchId === p.id).map((a) => ({ author: adviceAuthor(a), body: a.body })),
    referrals: referrals.filter((r) => r.pitchId === p.id).map((r) => ({ organisation: r.organisation, subject: r.subject })),
    nextSteps: recordOf.get(p.id)?.next_steps ?? null,
  }))
  const doc = buildMinutes({
    platformName: platform.name,
    session: { date: session.date, longDate: view.longDate, timeRange: view.timeRange, placeLabel: view.placeLabel, modeLabel: view.modeLabel },
    intro: draft?.intro ?? null, present, pitches: items,
  })
  return { doc, summaries: new Map(pitches.map((p) => [p.id, recordOf.get(p.id)?.summary ?? null])), drafted, intro: draft?.intro ?? null }
}
