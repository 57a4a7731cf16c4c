import { renderCalendar, type IcsEvent, type Party } from './ics.js'

export type ItipMethod = 'REQUEST' | 'CANCEL'

/**
 * One iMIP message for one recipient (RFC 5546 §6.3: each external partner
 * only sees itself). The caller must put the same `method` in the MIME
 * Content-Type (RFC 5545 §3.7.2, RFC 6047 §2.4) and pass `event.stamp` = the
 * instant the message is created.
 */
export function itipCalendar(input: { method: ItipMethod; event: IcsEvent; organizer: Party; attendee: Party }): string {
  const { method, event } = input
  // A REQUEST carrying STATUS:CANCELLED leaves the event in calendars; only
  // CANCEL removes it (research/ical-email.md §0 rule 7).
  if (method === 'REQUEST' && event.status === 'CANCELLED') throw new Error('itip: send a CANCEL for a cancelled session')
  // RFC 5546 §3.2.5: a CANCEL MUST increment SEQUENCE, so it is never 0.
  if (method === 'CANCEL' && event.sequence < 1) throw new Error('itip: CANCEL needs the bumped SEQUENCE (>= 1)')
  // RFC 5546 §3.2.5, CANCEL: STATUS "MUST be set to CANCELLED to cancel the entire event. If uninviting
  // specific Attendees then MUST NOT be included". A CANCEL for an event still on (a withdrawn pitch, a
  // revoked delegate) uninvites its one attendee: no STATUS, or clients would mark the session cancelled.
  const status = method === 'REQUEST' ? 'CONFIRMED' : event.status === 'CANCELLED' ? 'CANCELLED' : null
  return renderCalendar({
    method,
    header: [], // no NAME/X-WR-CALNAME: MS-OXCICAL says omit for a single meeting
    organizer: input.organizer,
    // No reply is expected to a cancellation.
    attendee: { party: input.attendee, rsvp: method === 'REQUEST' },
    events: [{ ...event, status }],
    lastModifiedFromStamp: false,
  })
}
