import type { Answer, SessionMode, SessionStatus } from '../db/schema.js'
import { answerWindow } from '../partners/answers.js'
import { cleanDelegateName, delegateNameProblem } from '../partners/delegation.js'
import { type ItipReply, replyingAttendee } from './itip-reply.js'

// What a calendar answer does, decided from the facts alone (no database, no clock: `now` is handed in).
// RFC 5546 §2.1.5: a reply to an older SEQUENCE than the last change sent to every partner is not applied (the
// partner answered a version that changed since: a move, a switch to videoconference; a CANCEL sent to someone
// else raises the session's SEQUENCE without changing anyone else's copy); DTSTAMP orders replies of the
// same SEQUENCE. §3.2.3: only an ATTENDEE that was invited may answer ("party crasher" otherwise). An answer
// given on the personal link and one from the calendar are ordered by when they were given: the latest stands.

export type CalendarAnswer = Exclude<Answer, 'none'>

export type UnmatchedReason =
  | 'no_calendar' | 'bad_calendar' | 'not_reply' | 'unknown_uid' | 'occurrence' | 'no_attendee' | 'not_invited'
  | 'future_sequence' | 'unknown_partstat' | 'no_delegate' | 'delegate_refused' | 'bounce_unmatched'

export type Decision =
  | { outcome: 'applied'; answer: CalendarAnswer; answeredAt: string; comment: string | null; delegate: { name: string; email: string } | null }
  /** Recorded and shown, not applied: an older SEQUENCE, or a session no longer taking answers. */
  | { outcome: 'stale'; reason: 'stale_sequence' | 'session_closed' }
  /** Recorded, not applied: a later answer (from the link or the calendar) already stands. */
  | { outcome: 'older'; reason: 'superseded' }
  | { outcome: 'unmatched'; reason: UnmatchedReason }

/** `material_sequence`: the SEQUENCE every invited partner's copy carries (the session's own also rises for a
 * CANCEL sent to one person, which the others never see). */
export interface SessionFacts { status: SessionStatus; starts_at: string; ends_at: string; sequence: number; material_sequence: number; mode: SessionMode }
export interface InvitationFacts { answer: Answer; answered_at: string | null; contact_email: string }

/** PARTSTAT (RFC 5545 §3.2.12) to the answer it stands for; null for one that answers nothing. */
export function answerOfPartstat(partstat: string, mode: SessionMode): CalendarAnswer | null {
  switch (partstat) {
    // "Accepter" of a session held by videoconference can only mean taking part remotely.
    case 'ACCEPTED': return mode === 'videoconference' ? 'remote' : 'on_site'
    case 'DECLINED': return 'declined'
    case 'TENTATIVE': return 'tentative'
    case 'DELEGATED': return 'delegate'
    default: return null
  }
}

/** A name for a colleague known only by their address ("jean-marc.dupont@…" → "Jean-Marc Dupont"). */
export function nameFromAddress(email: string): string {
  const local = email.split('@')[0] ?? ''
  const words = local.split(/[._+]+/).map((w) => w.replace(/[^\p{L}-]/gu, '')).filter((w) => /^\p{L}/u.test(w))
  const name = words.map((w) => w.split('-').map((p) => p.charAt(0).toLocaleUpperCase('fr') + p.slice(1)).join('-')).join(' ')
  return name && !delegateNameProblem(name) ? name : 'Collègue'
}

const earlier = (a: string, b: string) => (a < b ? a : b)

export function decideReply(reply: ItipReply, session: SessionFacts | null, invitation: InvitationFacts | null, now: Date): Decision {
  if (!session) return { outcome: 'unmatched', reason: 'unknown_uid' }
  if (reply.recurrenceId) return { outcome: 'unmatched', reason: 'occurrence' }
  const attendee = replyingAttendee(reply)
  if (!attendee) return { outcome: 'unmatched', reason: 'no_attendee' }
  if (!invitation || invitation.contact_email.trim().toLowerCase() !== attendee.email) return { outcome: 'unmatched', reason: 'not_invited' }
  if (reply.sequence > session.sequence) return { outcome: 'unmatched', reason: 'future_sequence' }
  if (reply.sequence < session.material_sequence) return { outcome: 'stale', reason: 'stale_sequence' }
  const answer = answerOfPartstat(attendee.partstat, session.mode)
  if (!answer) return { outcome: 'unmatched', reason: 'unknown_partstat' }
  if (answerWindow(session, now) !== 'answer') return { outcome: 'stale', reason: 'session_closed' }
  // A DTSTAMP in the future (a wrong clock) is taken as now: it must not outrank answers still to come.
  const answeredAt = earlier(reply.dtstamp ?? now.toISOString(), now.toISOString())
  if (invitation.answered_at && answeredAt <= invitation.answered_at) return { outcome: 'older', reason: 'superseded' }
  let delegate: { name: string; email: string } | null = null
  if (answer === 'delegate') {
    const email = attendee.delegatedTo.find((d) => d !== attendee.email)
    if (!email) return { outcome: 'unmatched', reason: 'no_delegate' }
    const named = reply.attendees.find((a) => a.email === email)?.name
    const name = named && !delegateNameProblem(named) ? cleanDelegateName(named) : nameFromAddress(email)
    delegate = { name, email }
  }
  return { outcome: 'applied', answer, answeredAt, comment: reply.comment, delegate }
}
