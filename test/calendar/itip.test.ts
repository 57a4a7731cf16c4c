import { afterEach, describe, expect, it } from 'vitest'
import type { IcsEvent, Party } from '../../src/calendar/ics.js'
import { itipCalendar } from '../../src/calendar/itip.js'
import { displayName, singleLine } from '../../src/calendar/sanitise.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'

const organizer: Party = { name: 'Fabrik – agenda', email: 'agenda@fabrik.example' }
const attendee: Party = { name: 'Association Les Amis de Lens', email: 'contact@amis-lens.example' }
const event: IcsEvent = {
  uid: 'session-12@fabrik.example',
  sequence: 0,
  start: '2026-03-27T08:00:00.000Z',
  end: '2026-03-27T11:00:00.000Z',
  stamp: '2026-03-02T09:30:12.000Z',
  summary: 'Table ronde de mars',
  description: 'Ordre du jour : projets',
  location: null,
  url: 'https://fabrik.example/sessions/12',
  conferenceUrl: 'https://visio.example/fabrik-mars',
  status: 'CONFIRMED',
}
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '')

const originalTz = process.env.TZ
afterEach(() => {
  process.env.TZ = originalTz
})

describe('itipCalendar REQUEST', () => {
  const ics = itipCalendar({ method: 'REQUEST', event, organizer, attendee })
  const parsed = parseIcs(ics)
  const vevent = parsed.events[0]

  it('is a lint-clean REQUEST with one VEVENT', () => {
    expect(lintIcs(ics)).toEqual([])
    expect(parsed.method).toBe('REQUEST')
    expect(parsed.events).toHaveLength(1)
    expect(ics.match(/^METHOD:/gm)).toHaveLength(1)
  })

  it('has exactly one ATTENDEE, the recipient, asked to RSVP', () => {
    expect(vevent?.attendees).toEqual(['mailto:contact@amis-lens.example'])
    expect(vevent?.attendeeDetails).toEqual([
      { address: 'mailto:contact@amis-lens.example', cn: attendee.name, role: 'REQ-PARTICIPANT', partstat: 'NEEDS-ACTION', rsvp: 'TRUE' },
    ])
    expect(unfold(ics)).toContain(
      '\r\nATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Association Les Amis de Lens":MAILTO:contact@amis-lens.example\r\n',
    )
  })

  it('has ORGANIZER, STATUS:CONFIRMED, SEQUENCE, UTC DTSTAMP = stamp and no calendar name', () => {
    expect(vevent?.organizer).toBe('mailto:agenda@fabrik.example')
    expect(vevent?.organizerCn).toBe('Fabrik – agenda')
    expect(vevent?.status).toBe('CONFIRMED')
    expect(vevent?.sequence).toBe(0)
    expect(ics).toContain('\r\nSEQUENCE:0\r\n')
    expect(ics).toContain('\r\nDTSTAMP:20260302T093012Z\r\n')
    expect(vevent?.stamp).toBe('2026-03-02T09:30:12.000Z')
    expect(parsed.propertyNames).toEqual(['VERSION', 'PRODID', 'METHOD'])
    expect(vevent?.propertyNames).not.toContain('LAST-MODIFIED')
  })

  it('carries the start instant and the conference link', () => {
    expect(vevent?.start).toBe('2026-03-27T08:00:00.000Z')
    expect(vevent?.end).toBe('2026-03-27T11:00:00.000Z')
    expect(vevent?.conference).toBe('https://visio.example/fabrik-mars')
    expect(vevent?.location).toBe('https://visio.example/fabrik-mars')
    expect(vevent?.description).toContain('https://visio.example/fabrik-mars')
    expect(vevent?.url).toBe('https://fabrik.example/sessions/12')
  })

  it('does not depend on the host time zone', () => {
    process.env.TZ = 'America/Los_Angeles'
    const other = itipCalendar({ method: 'REQUEST', event, organizer, attendee })
    expect(other).toBe(ics)
    expect(parseIcs(other).events[0]?.start).toBe('2026-03-27T08:00:00.000Z')
  })

  it('refuses a REQUEST for a cancelled session', () => {
    expect(() => itipCalendar({ method: 'REQUEST', event: { ...event, status: 'CANCELLED' }, organizer, attendee })).toThrow(/CANCEL/)
  })
})

describe('itipCalendar CANCEL', () => {
  const cancelled: IcsEvent = { ...event, sequence: 1, stamp: '2026-03-20T17:00:00.000Z', status: 'CANCELLED' }

  it('has METHOD:CANCEL, STATUS:CANCELLED, the bumped SEQUENCE and the attendee', () => {
    const ics = itipCalendar({ method: 'CANCEL', event: cancelled, organizer, attendee })
    expect(lintIcs(ics)).toEqual([])
    const parsed = parseIcs(ics)
    const vevent = parsed.events[0]
    expect(parsed.method).toBe('CANCEL')
    expect(vevent?.status).toBe('CANCELLED')
    expect(vevent?.sequence).toBe(1)
    expect(vevent?.uid).toBe(event.uid)
    expect(vevent?.organizer).toBe('mailto:agenda@fabrik.example')
    expect(vevent?.attendees).toEqual(['mailto:contact@amis-lens.example'])
    expect(vevent?.attendeeDetails[0]?.rsvp).toBe('FALSE')
    expect(ics).toContain('\r\nDTSTAMP:20260320T170000Z\r\n')
  })

  it('uninvites one attendee of an event still on without any STATUS (RFC 5546 §3.2.5)', () => {
    const ics = itipCalendar({ method: 'CANCEL', event: { ...cancelled, status: 'CONFIRMED' }, organizer, attendee })
    expect(lintIcs(ics)).toEqual([])
    const vevent = parseIcs(ics).events[0]
    expect(vevent?.status).toBeNull()
    expect(vevent?.propertyNames).not.toContain('STATUS')
    expect(vevent?.sequence).toBe(1)
    expect(vevent?.attendees).toEqual(['mailto:contact@amis-lens.example'])
  })

  it('refuses a CANCEL whose SEQUENCE was not bumped', () => {
    expect(() => itipCalendar({ method: 'CANCEL', event, organizer, attendee })).toThrow(/SEQUENCE/)
  })
})

describe('itipCalendar injection', () => {
  const evil = 'Evil"\r\nATTENDEE;RSVP=TRUE:mailto:evil@x.example\r\nX-INJ:1;a,b\\ <script>\u0000\u001b\u202e'

  it('keeps hostile names and text as text: one ATTENDEE, no extra property', () => {
    const ics = itipCalendar({
      method: 'REQUEST',
      event: { ...event, summary: evil, description: evil, location: evil },
      organizer: { name: evil, email: organizer.email },
      attendee: { name: evil, email: attendee.email },
    })
    expect(lintIcs(ics)).toEqual([])
    const vevent = parseIcs(ics).events[0]
    expect(vevent?.summary).toBe(singleLine(evil))
    expect(vevent?.location).toBe(singleLine(evil))
    expect(vevent?.attendees).toEqual(['mailto:contact@amis-lens.example'])
    expect(vevent?.attendeeDetails[0]?.cn).toBe(displayName(evil))
    expect(vevent?.organizerCn).toBe(displayName(evil))
    expect(displayName(evil)).toBe('Evil ATTENDEE;RSVP=TRUE:mailto:evil@x.example X-INJ:1;a,b script')
    expect(vevent?.propertyNames.filter((n) => n === 'ATTENDEE' || n === 'X-INJ')).toEqual(['ATTENDEE'])
    expect(unfold(ics).split('\r\n').filter((l) => /^(ATTENDEE|X-INJ)/.test(l))).toHaveLength(1)
  })

  it.each(['a@b.example\r\nATTENDEE:mailto:evil@x.example', 'a@b.example,evil@x.example', 'a?cc=evil@x.example', 'nobody'])(
    'refuses attendee address %j',
    (email) => {
      expect(() => itipCalendar({ method: 'REQUEST', event, organizer, attendee: { name: 'X', email } })).toThrow(/attendee/)
    },
  )

  it('refuses a bad organizer address', () => {
    expect(() => itipCalendar({ method: 'REQUEST', event, organizer: { name: 'X', email: 'no reply' }, attendee })).toThrow(/organizer/)
  })
})
