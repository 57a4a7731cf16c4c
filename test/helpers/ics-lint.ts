import ICAL from 'ical.js'

// Strict offline checks that ical.js and friends do not make (research/ical-email.md §3.2):
// they accept LF, long lines, split UTF-8 sequences, non-UTC DTSTAMP and TZID without VTIMEZONE.

 
const UNSAFE_CHAR = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFFFD]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const UTC = /^\d{8}T\d{6}Z$/
const LOCAL = /^\d{8}T\d{6}$/

interface Logical {
  line: number // first physical line, 1-based
  text: string
}

/** Splits a content line into name, parameters and value, honouring quoted parameter values. */
function splitContentLine(text: string): { name: string; params: Map<string, string>; value: string } | null {
  let inQuotes = false
  const cuts: number[] = []
  let colon = -1
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') inQuotes = !inQuotes
    else if (!inQuotes && c === ';') cuts.push(i)
    else if (!inQuotes && c === ':') {
      colon = i
      break
    }
  }
  if (colon < 0) return null
  const head = text.slice(0, colon)
  const pieces: string[] = []
  let from = 0
  for (const cut of cuts) {
    pieces.push(head.slice(from, cut))
    from = cut + 1
  }
  pieces.push(head.slice(from))
  const [name = '', ...rawParams] = pieces
  const params = new Map<string, string>()
  for (const p of rawParams) {
    const eq = p.indexOf('=')
    params.set(p.slice(0, eq).toUpperCase(), p.slice(eq + 1))
  }
  return { name: name.toUpperCase(), params, value: text.slice(colon + 1) }
}

function physicalLines(bytes: Uint8Array, problems: string[]): Uint8Array[] {
  const lines: Uint8Array[] = []
  let start = 0
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a) {
      lines.push(bytes.subarray(start, i))
      start = i + 2
      i++
    } else if (bytes[i] === 0x0d || bytes[i] === 0x0a) {
      problems.push(`bare ${bytes[i] === 0x0d ? 'CR' : 'LF'} at byte ${i} (line ${lines.length + 1})`)
    }
  }
  if (start < bytes.length) {
    problems.push('text does not end with CRLF')
    lines.push(bytes.subarray(start))
  }
  return lines
}

/** Returns a list of problems; empty when the iCalendar text passes. */
export function lintIcs(input: string | Uint8Array): string[] {
  const problems: string[] = []
  if (typeof input === 'string' && LONE_SURROGATE.test(input)) problems.push('lone UTF-16 surrogate (not encodable as UTF-8)')
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  const decoder = new TextDecoder('utf-8', { fatal: true })

  const logical: Logical[] = []
  physicalLines(bytes, problems).forEach((raw, i) => {
    const n = i + 1
    if (raw.length > 75) problems.push(`line ${n} is ${raw.length} octets (> 75)`)
    let text: string
    try {
      text = decoder.decode(raw)
    } catch {
      problems.push(`line ${n} is not valid UTF-8 on its own (fold inside a character?)`)
      text = new TextDecoder().decode(raw)
    }
    if (text.length === 0) problems.push(`line ${n} is empty`)
    else if (text[0] === ' ' || text[0] === '\t') {
      if (text[0] === '\t') problems.push(`line ${n}: continuation starts with TAB, expected one space`)
      const previous = logical[logical.length - 1]
      if (!previous) problems.push(`line ${n}: continuation line without a preceding line`)
      else previous.text += text.slice(1)
    } else logical.push({ line: n, text })
  })

  const tzids = new Set<string>()
  const stack: string[] = []
  const parsed = logical.map((l) => ({ ...l, p: splitContentLine(l.text) }))
  for (const { p } of parsed) if (p?.name === 'TZID') tzids.add(p.value)

  for (const { line, text, p } of parsed) {
    if (UNSAFE_CHAR.test(text)) problems.push(`line ${line}: control/bidi/replacement character in ${JSON.stringify(text.slice(0, 40))}`)
    if (!p || !/^[A-Z0-9-]+$/.test(p.name)) {
      problems.push(`line ${line}: not a content line: ${JSON.stringify(text.slice(0, 40))}`)
      continue
    }
    if (p.name === 'BEGIN') {
      if (stack.length === 0 && p.value !== 'VCALENDAR') problems.push(`line ${line}: outermost component is ${p.value}`)
      stack.push(p.value)
    } else if (p.name === 'END') {
      const open = stack.pop()
      if (open !== p.value) problems.push(`line ${line}: END:${p.value} closes ${open ?? 'nothing'}`)
    } else if (stack.length === 0) {
      problems.push(`line ${line}: ${p.name} outside any component`)
    }
    const inTimezone = stack.includes('VTIMEZONE')
    if (!inTimezone && ['DTSTAMP', 'LAST-MODIFIED', 'CREATED'].includes(p.name)) {
      // RFC 5545 §3.8.7: these MUST be UTC.
      if (!UTC.test(p.value) || p.params.has('TZID')) problems.push(`line ${line}: ${p.name} must be UTC with Z: ${p.value}`)
    } else if (!inTimezone && ['DTSTART', 'DTEND', 'RECURRENCE-ID'].includes(p.name)) {
      const tzid = p.params.get('TZID')?.replace(/^"|"$/g, '')
      const ok =
        (p.params.get('VALUE') === 'DATE' && /^\d{8}$/.test(p.value)) ||
        (tzid === undefined && UTC.test(p.value)) ||
        (tzid !== undefined && LOCAL.test(p.value) && tzids.has(tzid))
      if (!ok) problems.push(`line ${line}: ${p.name} is neither UTC nor TZID with a VTIMEZONE: ${text}`)
    }
  }
  if (stack.length > 0) problems.push(`unclosed components: ${stack.join(', ')}`)
  return problems
}

export interface ParsedAttendee {
  address: string
  cn: string | null
  role: string | null
  partstat: string | null
  rsvp: string | null
}

export interface ParsedEvent {
  uid: string | null
  sequence: number | null
  start: string
  end: string | null
  stamp: string | null
  summary: string | null
  description: string | null
  location: string | null
  url: string | null
  status: string | null
  /** `mailto:` scheme lower-cased (ical-generator writes `MAILTO:` for attendees). */
  attendees: string[]
  attendeeDetails: ParsedAttendee[]
  organizer: string | null
  organizerCn: string | null
  conference: string | null
  propertyNames: string[]
}

export interface ParsedIcs {
  method: string | null
  name: string | null
  propertyNames: string[]
  events: ParsedEvent[]
}

function param(p: ICAL.Property, name: string): string | null {
  const v = p.getParameter(name)
  return v === undefined || v === null ? null : String(v)
}

const address = (v: unknown): string => String(v).replace(/^mailto:/i, 'mailto:')
const iso = (v: unknown): string => (v as ICAL.Time).toJSDate().toISOString()
const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
const unescapeText = (s: string): string => s.replace(/\\([\\;,nN])/g, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c))

// ical.js types properties it does not know (X-WR-CALNAME, NAME) as "unknown" and
// returns them raw, although RFC 5545 §3.8.8.2 makes TEXT the default for X- properties.
function calendarName(root: ICAL.Component): string | null {
  const p = root.getFirstProperty('x-wr-calname')
  if (!p) return null
  const value = String(p.getFirstValue())
  return p.type === 'unknown' ? unescapeText(value) : value
}

/** Parses with ical.js (Thunderbird's parser): a "what a client sees" oracle. */
export function parseIcs(input: string | Uint8Array): ParsedIcs {
  const source = typeof input === 'string' ? input : new TextDecoder().decode(input)
  const root = new ICAL.Component(ICAL.parse(source) as unknown[])
  // Without registration, TZID times are floating (host-dependent) in ical.js.
  for (const tz of root.getAllSubcomponents('vtimezone')) {
    const id = String(tz.getFirstPropertyValue('tzid'))
    if (!ICAL.TimezoneService.has(id)) ICAL.TimezoneService.register(tz)
  }
  const events = root.getAllSubcomponents('vevent').map((v): ParsedEvent => {
    const get = (name: string): unknown => v.getFirstPropertyValue(name)
    const organizer = v.getFirstProperty('organizer')
    const attendees = v.getAllProperties('attendee')
    const end = get('dtend')
    const stamp = get('dtstamp')
    const sequence = get('sequence')
    return {
      uid: text(get('uid')),
      sequence: sequence === null ? null : Number(sequence),
      start: iso(get('dtstart')),
      end: end === null ? null : iso(end),
      stamp: stamp === null ? null : iso(stamp),
      summary: text(get('summary')),
      description: text(get('description')),
      location: text(get('location')),
      url: text(get('url')),
      status: text(get('status')),
      attendees: attendees.map((p) => address(p.getFirstValue())),
      attendeeDetails: attendees.map((p) => ({
        address: address(p.getFirstValue()),
        cn: param(p, 'cn'),
        role: param(p, 'role'),
        partstat: param(p, 'partstat'),
        rsvp: param(p, 'rsvp'),
      })),
      organizer: organizer ? address(organizer.getFirstValue()) : null,
      organizerCn: organizer ? param(organizer, 'cn') : null,
      conference: text(get('conference')),
      propertyNames: v.getAllProperties().map((p) => p.name.toUpperCase()),
    }
  })
  return {
    method: text(root.getFirstPropertyValue('method')),
    name: calendarName(root),
    propertyNames: root.getAllProperties().map((p) => p.name.toUpperCase()),
    events,
  }
}
