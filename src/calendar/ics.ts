import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator'
import { DateTime } from 'luxon'
import { displayName, escapeText, isSafeEmail, isSafeWebUrl, singleLine, stripControl } from './sanitise.js'

export interface IcsEvent {
  uid: string
  sequence: number
  start: string
  end: string
  /** DTSTAMP. Feeds: the session's last change (deterministic bytes); iTIP: the message creation instant. */
  stamp: string
  summary: string
  description: string
  location: string | null
  url: string | null
  conferenceUrl: string | null
  /** null: no STATUS at all (an iTIP CANCEL that uninvites one attendee, RFC 5546 §3.2.5). */
  status: 'CONFIRMED' | 'CANCELLED' | null
}

export interface Party {
  name: string
  email: string
}

const PRODID = { company: 'Fabrik', product: 'Fabrik', language: 'FR' }
const MAX_OCTETS = 75

function utf8Length(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
}

/**
 * RFC 5545 §3.1: physical lines ≤ 75 octets (excluding CRLF), continuation
 * lines start with one space, and a fold never splits a UTF-8 sequence.
 */
export function foldLine(line: string): string {
  if (/[\r\n]/.test(line)) throw new Error('foldLine: a content line cannot contain CR or LF')
  const parts: string[] = []
  let current = ''
  let octets = 0
  for (const ch of line) {
    const n = utf8Length(ch)
    if (octets + n > MAX_OCTETS) {
      parts.push(current)
      current = ' '
      octets = 1
    }
    current += ch
    octets += n
  }
  parts.push(current)
  return parts.join('\r\n')
}

// Without an explicit offset luxon/Date would read the string in the host zone.
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/

function instant(value: string, field: string): Date {
  const dt = DateTime.fromISO(value, { setZone: true })
  if (!ISO_WITH_OFFSET.test(value) || !dt.isValid) throw new Error(`${field}: expected an ISO instant with Z or offset, got ${JSON.stringify(value)}`)
  return dt.toUTC().toJSDate()
}

function checkedUrl(value: string, field: string, allowHttp: boolean): string {
  if (!isSafeWebUrl(value, allowHttp)) throw new Error(`${field}: only ${allowHttp ? 'http(s)' : 'https'} URLs without credentials, spaces, ';' or ',' are allowed`)
  return new URL(value).href
}

// ical-generator writes UID unescaped, so restrict it to a safe alphabet.
const UID = /^[A-Za-z0-9._@+=-]{1,255}$/

interface PreparedParty {
  name: string
  email: string
}

function party(p: Party, field: string): PreparedParty {
  if (!isSafeEmail(p.email)) throw new Error(`${field}: invalid e-mail address`)
  return { name: displayName(p.name), email: p.email }
}

export interface RenderOptions {
  method: 'REQUEST' | 'CANCEL' | null
  /** Extra calendar-level content lines (unfolded, already escaped). */
  header: string[]
  organizer: Party | null
  attendee: { party: Party; rsvp: boolean } | null
  events: IcsEvent[]
  /** Feeds/snapshots: LAST-MODIFIED = stamp (RFC 5545 §3.8.7.2: DTSTAMP means that there too). */
  lastModifiedFromStamp: boolean
}

/** Shared renderer behind feedCalendar, singleEventCalendar and itipCalendar. */
export function renderCalendar(opts: RenderOptions): string {
  // No calendar timezone: with one, ical-generator writes DTSTAMP without Z and
  // formats native Dates in the host zone (research/ical-email.md §1.4).
  const cal = ical({ prodId: PRODID })
  if (opts.method) cal.method(opts.method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL)
  const organizer = opts.organizer ? party(opts.organizer, 'organizer') : null
  const attendee = opts.attendee ? party(opts.attendee.party, 'attendee') : null
  const conferenceLines: string[][] = []

  for (const e of opts.events) {
    if (!UID.test(e.uid)) throw new Error('uid: only [A-Za-z0-9._@+=-] allowed')
    if (!Number.isSafeInteger(e.sequence) || e.sequence < 0) throw new Error('sequence: non-negative integer expected')
    if (e.status !== 'CONFIRMED' && e.status !== 'CANCELLED' && e.status !== null) throw new Error('status: CONFIRMED, CANCELLED or null expected')
    const start = instant(e.start, 'start')
    const end = instant(e.end, 'end')
    const stamp = instant(e.stamp, 'stamp')
    if (end.getTime() <= start.getTime()) throw new Error('end must be after start')
    const url = e.url === null ? null : checkedUrl(e.url, 'url', true)
    const conference = e.conferenceUrl === null ? null : checkedUrl(e.conferenceUrl, 'conferenceUrl', false)

    // CONFERENCE support in clients is patchy, so the link is repeated in
    // DESCRIPTION and (when no venue is given) LOCATION.
    let description = stripControl(e.description).trim()
    if (conference && !description.includes(conference)) {
      description += (description ? '\n\n' : '') + `Visioconférence : ${conference}`
    }
    const location = singleLine(e.location ?? conference ?? '')

    const event = cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      stamp,
      start,
      end,
      summary: singleLine(e.summary),
      description: description || null,
      location: location || null,
      url,
      status: e.status === null ? null : e.status === 'CANCELLED' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      organizer: organizer ? { name: organizer.name || organizer.email, email: organizer.email } : null,
      lastModified: opts.lastModifiedFromStamp ? stamp : null,
    })
    if (attendee && opts.attendee) {
      event.createAttendee({
        email: attendee.email,
        name: attendee.name || null,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: opts.attendee.rsvp,
      })
    }
    // RFC 7986 §5.11; ical-generator's x() only accepts X- names.
    conferenceLines.push(conference ? [`CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Visioconférence:${conference}`] : [])
  }

  return splice(cal.toString(), opts.header, conferenceLines)
}

/** Inserts our own (folded) lines after PRODID and before each END:VEVENT; ends with CRLF. */
function splice(text: string, header: string[], perEvent: string[][]): string {
  const out: string[] = []
  let index = 0
  for (const line of text.split('\r\n')) {
    if (line === 'END:VEVENT') out.push(...(perEvent[index++] ?? []).map(foldLine))
    out.push(line)
    if (line.startsWith('PRODID:')) out.push(...header.map(foldLine))
  }
  if (index !== perEvent.length) throw new Error('ics: unexpected ical-generator output')
  // ical-generator's toString() omits the final CRLF that the ABNF requires.
  return out.join('\r\n') + '\r\n'
}

export function feedCalendar(input: {
  name: string
  description?: string
  refreshHours: number
  organizer: Party | null
  events: IcsEvent[]
}): string {
  if (!Number.isSafeInteger(input.refreshHours) || input.refreshHours < 1) throw new Error('refreshHours: positive integer expected')
  // ical-generator does not escape NAME/X-WR-CALNAME/X-WR-CALDESC, so we write them.
  const header: string[] = []
  const name = escapeText(singleLine(input.name))
  if (name) header.push(`NAME:${name}`, `X-WR-CALNAME:${name}`)
  const description = escapeText(stripControl(input.description ?? '').trim())
  if (description) header.push(`X-WR-CALDESC:${description}`)
  header.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${input.refreshHours}H`, `X-PUBLISHED-TTL:PT${input.refreshHours}H`)
  // No METHOD: a snapshot where DTSTAMP = last change. PUBLISH would require
  // an ORGANIZER (RFC 5546 §3.2.1), which feeds may not have. Never ATTENDEE.
  return renderCalendar({ method: null, header, organizer: input.organizer, attendee: null, events: input.events, lastModifiedFromStamp: true })
}

/** A downloadable .ics for one session ("add to my calendar"). No NAME: MS-OXCICAL says omit for single items. */
export function singleEventCalendar(event: IcsEvent, organizer: Party | null): string {
  return renderCalendar({ method: null, header: [], organizer, attendee: null, events: [event], lastModifiedFromStamp: true })
}
