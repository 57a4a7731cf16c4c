import type { IcsEvent, Party } from '../calendar/ics.js'
import type { Platform } from '../db/schema.js'
import type { SessionView } from './view.js'

// One session as a calendar event, the same in feeds, in the .ics download and in invitations.

export function sessionEvent(platform: Platform, s: SessionView, stamp: string): IcsEvent {
  const remote = s.mode === 'videoconference'
  const place = s.venueName ? `${s.venueName}${s.venueAddress ? `, ${s.venueAddress}` : ''}${s.communeName ? ` (${s.communeName})` : ''}` : s.communeName
  const lines = [
    `${platform.name} — réunion mensuelle.`,
    `${s.longDate}, ${s.timeRange}.`,
    remote ? 'En visioconférence.' : `Lieu : ${place ?? 'à déterminer'}.`,
  ]
  if (s.videoUrl) lines.push(`Lien de visioconférence : ${s.videoUrl}`)
  if (s.status === 'cancelled') lines.unshift('SÉANCE ANNULÉE.')
  lines.push(`Page de la séance : ${s.url}`)
  return {
    uid: s.uid,
    sequence: s.sequence,
    start: s.startsAt,
    end: s.endsAt,
    stamp,
    summary: `${platform.name}${s.communeName && !remote ? ` — ${s.communeName}` : ''}`,
    description: lines.join('\n'),
    // LOCATION: the address, or the link when the session is remote (clients show LOCATION first).
    location: remote ? s.videoUrl : place,
    url: s.url,
    conferenceUrl: s.videoUrl,
    status: s.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
  }
}

export function organizerOf(platform: Platform): Party {
  return { name: platform.contact_name ?? platform.name, email: platform.contact_email }
}
