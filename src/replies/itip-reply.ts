import ICAL from 'ical.js'

// The iCalendar part of a calendar answer (RFC 5546 §3.2.3, METHOD:REPLY), read with ical.js — the parser
// Thunderbird itself uses. Pure: text in, facts out; nothing here decides what the answer means for Fabrik.

export interface ReplyAttendee {
  /** Lower-cased address, without "mailto:". */
  email: string
  name: string | null
  /** Upper-cased PARTSTAT; absent means NEEDS-ACTION (RFC 5545 §3.2.12). */
  partstat: string
  /** DELEGATED-TO of a delegator, DELEGATED-FROM of the delegate a client adds beside them. */
  delegatedTo: string[]
  delegatedFrom: string[]
}

export interface ItipReply {
  uid: string
  /** Absent SEQUENCE is 0 (RFC 5545 §3.8.7.4). */
  sequence: number
  /** ISO-8601 UTC, or null when missing or unreadable. */
  dtstamp: string | null
  attendees: ReplyAttendee[]
  comment: string | null
  /** A reply about one occurrence of a recurring event: Fabrik's sessions are single events. */
  recurrenceId: boolean
}

export type ItipReadResult = { ok: true; reply: ItipReply } | { ok: false; reason: 'bad_calendar' | 'not_reply' }

const addressOf = (value: unknown): string => String(value ?? '').trim().replace(/^mailto:/i, '').trim().toLowerCase()

function listParam(prop: ICAL.Property, name: string): string[] {
  const raw = prop.getParameter(name)
  const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw]
  // Some clients put several addresses in one quoted value: "mailto:a","mailto:b" arrives as one string.
  return values.flatMap((v) => String(v).split(',')).map((v) => addressOf(v.replace(/"/g, ''))).filter(Boolean)
}

function timeOf(value: unknown): string | null {
  if (!(value instanceof ICAL.Time)) return null
  const date = value.toJSDate()
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}

/** Reads the first VEVENT of a METHOD:REPLY calendar. */
export function readItipReply(text: string): ItipReadResult {
  let root: ICAL.Component
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[])
  } catch {
    return { ok: false, reason: 'bad_calendar' }
  }
  const method = String(root.getFirstPropertyValue('method') ?? '').toUpperCase()
  if (method !== 'REPLY') return { ok: false, reason: 'not_reply' }
  const event = root.getFirstSubcomponent('vevent')
  const uid = event ? String(event.getFirstPropertyValue('uid') ?? '').trim() : ''
  if (!event || !uid) return { ok: false, reason: 'bad_calendar' }
  const rawSequence = Number(event.getFirstPropertyValue('sequence') ?? 0)
  const attendees = event.getAllProperties('attendee').map((prop): ReplyAttendee => ({
    email: addressOf(prop.getFirstValue()),
    name: typeof prop.getParameter('cn') === 'string' ? String(prop.getParameter('cn')) : null,
    partstat: String(prop.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase(),
    delegatedTo: listParam(prop, 'delegated-to'),
    delegatedFrom: listParam(prop, 'delegated-from'),
  })).filter((a) => a.email.includes('@'))
  const comment = event.getFirstPropertyValue('comment')
  return {
    ok: true,
    reply: {
      uid,
      sequence: Number.isInteger(rawSequence) && rawSequence >= 0 ? rawSequence : 0,
      dtstamp: timeOf(event.getFirstPropertyValue('dtstamp')),
      attendees,
      comment: typeof comment === 'string' && comment.trim() ? comment.trim() : null,
      recurrenceId: event.hasProperty('recurrence-id'),
    },
  }
}

/**
 * The one attendee who answers. RFC 5546 §3.2.3: a REPLY carries the replying ATTENDEE only; a delegator's
 * reply may add the delegate, marked DELEGATED-FROM. Several answering attendees: nobody can tell whose it is.
 */
export function replyingAttendee(reply: ItipReply): ReplyAttendee | null {
  const own = reply.attendees.filter((a) => a.delegatedFrom.length === 0)
  return own.length === 1 ? own[0]! : null
}
