import { formatLongDate, formatTimeRange, inSentence } from '../calendar/zoned.js'
import type { SessionMode } from '../db/schema.js'
import { MODE_LABELS } from './view.js'

// What changed in a session, and whether it matters to people who hold it in their calendar.

export interface SessionFacts {
  date: string
  start_time: string
  end_time: string
  venue_label: string | null
  mode: SessionMode
  video_url: string | null
}

export interface SessionDiff {
  /** A change of date/time, place, mode or link: SEQUENCE goes up and invitees get an update. */
  material: boolean
  /** French lines for the update email. */
  lines: string[]
}

export function diffSession(before: SessionFacts, after: SessionFacts): SessionDiff {
  const lines: string[] = []
  if (before.date !== after.date) lines.push(`Nouvelle date : ${formatLongDate(after.date)} (au lieu du ${inSentence(formatLongDate(before.date))}).`)
  if (before.start_time !== after.start_time || before.end_time !== after.end_time) {
    lines.push(`Nouvel horaire : ${formatTimeRange(after.start_time, after.end_time)}.`)
  }
  if (before.mode !== after.mode) {
    lines.push(after.mode === 'videoconference'
      ? `La séance se tiendra en visioconférence${after.video_url ? ` : ${after.video_url}` : ''}.`
      : `Mode de la séance : ${MODE_LABELS[after.mode].toLowerCase()}.`)
  } else if (after.mode !== 'in_person' && before.video_url !== after.video_url && after.video_url) {
    lines.push(`Nouveau lien de visioconférence : ${after.video_url}`)
  }
  if (before.venue_label !== after.venue_label && after.mode !== 'videoconference') {
    lines.push(after.venue_label ? `Lieu : ${after.venue_label}.` : 'Le lieu est à nouveau à déterminer.')
  }
  return { material: lines.length > 0, lines }
}
