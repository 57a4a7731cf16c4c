import { formatLongDate, formatTimeRange, inSentence, toOffsetIso } from '../calendar/zoned.js'
import type { Platform, SessionMode, SessionStatus } from '../db/schema.js'
import type { SessionRow } from './store.js'

// What people read about a session, the same on pages, in emails and in feeds.

export const MODE_LABELS: Record<SessionMode, string> = {
  in_person: 'Sur place',
  videoconference: 'En visioconférence',
  hybrid: 'Sur place et en visioconférence',
}

export const PLACE_TBD = 'Lieu à déterminer'

export interface SessionView {
  id: number
  date: string
  longDate: string
  /** "vendredi 26 février 2021", for the middle of a sentence. */
  dateInSentence: string
  timeRange: string
  start: string
  end: string
  startsAt: string
  endsAt: string
  communeName: string | null
  communeSlug: string | null
  venueName: string | null
  venueAddress: string | null
  venueAccessibility: string | null
  venueCapacity: number | null
  /** "Harnes — Salle X", "Harnes", or "Lieu à déterminer"; "Visioconférence" when fully remote. */
  placeLabel: string
  /** False while the place reads "Lieu à déterminer" (a mail words it "à déterminer" mid-sentence). */
  placeKnown: boolean
  mode: SessionMode
  modeLabel: string
  remote: boolean
  videoUrl: string | null
  status: SessionStatus
  /** A published session whose end has passed reads as held. */
  held: boolean
  statusLabel: string
  movedBecause: string | null
  url: string
  icsUrl: string
  uid: string
  sequence: number
  updatedAt: string
}

export function placeLabel(s: Pick<SessionRow, 'commune_name' | 'venue_name' | 'mode'>): string {
  if (s.mode === 'videoconference') return 'Visioconférence'
  if (s.commune_name && s.venue_name) return `${s.commune_name} — ${s.venue_name}`
  return s.commune_name ?? PLACE_TBD
}

export function sessionUrl(publicUrl: string, platformSlug: string, date: string): string {
  return `${publicUrl}/${encodeURIComponent(platformSlug)}/sessions/${date}`
}

export function presentSession(platform: Platform, s: SessionRow, publicUrl: string, now: Date): SessionView {
  const held = s.status === 'published' && s.ends_at <= now.toISOString()
  const url = sessionUrl(publicUrl, platform.slug, s.date)
  return {
    id: s.id,
    date: s.date,
    longDate: formatLongDate(s.date),
    dateInSentence: inSentence(formatLongDate(s.date)),
    timeRange: formatTimeRange(s.start_time, s.end_time),
    start: toOffsetIso(s.starts_at, platform.timezone),
    end: toOffsetIso(s.ends_at, platform.timezone),
    startsAt: s.starts_at,
    endsAt: s.ends_at,
    communeName: s.commune_name,
    communeSlug: s.commune_slug,
    venueName: s.venue_name,
    venueAddress: s.venue_address,
    venueAccessibility: s.venue_accessibility,
    venueCapacity: s.venue_capacity,
    placeLabel: placeLabel(s),
    placeKnown: placeLabel(s) !== PLACE_TBD,
    mode: s.mode,
    modeLabel: MODE_LABELS[s.mode],
    remote: s.mode !== 'in_person',
    videoUrl: s.mode === 'in_person' ? null : s.video_url,
    status: s.status,
    held,
    statusLabel: s.status === 'cancelled' ? 'Annulée' : s.status === 'draft' ? 'Brouillon' : held ? 'Tenue' : 'Publiée',
    movedBecause: s.moved_because,
    url,
    icsUrl: `${url}.ics`,
    uid: s.uid,
    sequence: s.sequence,
    updatedAt: s.updated_at,
  }
}

/**
 * How long one pitch lasts, from the session's own agenda (the "Présentation" rows, questions included): the
 * most common length, or null when the agenda has no pitch row. The one figure the booking form gives.
 */
export function pitchMinutes(items: Array<{ kind: string; duration_minutes: number }>): number | null {
  const counts = new Map<number, number>()
  for (const i of items) if (i.kind === 'pitch' && i.duration_minutes > 0) counts.set(i.duration_minutes, (counts.get(i.duration_minutes) ?? 0) + 1)
  let best: number | null = null
  for (const [minutes, n] of counts) if (best === null || n > counts.get(best)! || (n === counts.get(best)! && minutes < best)) best = minutes
  return best
}
