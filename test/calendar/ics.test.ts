import { afterEach, describe, expect, it } from 'vitest'
import { feedCalendar, foldLine, singleEventCalendar, type IcsEvent, type Party } from '../../src/calendar/ics.js'
import { escapeText, singleLine, stripControl } from '../../src/calendar/sanitise.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'

const organizer: Party = { name: 'Fabrik', email: 'agenda@fabrik.example' }

const march: IcsEvent = {
  uid: 'session-12@fabrik.example',
  sequence: 0,
  start: '2026-03-27T08:00:00.000Z',
  end: '2026-03-27T11:00:00.000Z',
  stamp: '2026-03-01T10:15:00.000Z',
  summary: 'Table ronde de mars',
  description: 'Ordre du jour :\n1. Accueil\n2. Projets',
  location: '12 rue de la Paix, 59000 Lille',
  url: 'https://fabrik.example/sessions/12',
  conferenceUrl: null,
  status: 'CONFIRMED',
}

const aprilCancelled: IcsEvent = {
  ...march,
  uid: 'session-13@fabrik.example',
  sequence: 2,
  start: '2026-04-24T07:00:00.000Z', // 09:00 Paris, summer time
  end: '2026-04-24T10:00:00.000Z',
  stamp: '2026-04-02T16:00:00.000Z',
  summary: 'ANNULÉ – Table ronde d’avril',
  location: null,
  url: null,
  status: 'CANCELLED',
}

const feedInput = { name: 'Fabrik — tables rondes', refreshHours: 12, organizer, events: [march, aprilCancelled] }
const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '')

const originalTz = process.env.TZ
afterEach(() => {
  process.env.TZ = originalTz
})

describe('feedCalendar', () => {
  it('passes the strict lint and parses back to the right instants', () => {
    const ics = feedCalendar(feedInput)
    expect(lintIcs(ics)).toEqual([])
    const parsed = parseIcs(ics)
    expect(parsed.events.map((e) => [e.uid, e.start, e.end])).toEqual([
      ['session-12@fabrik.example', '2026-03-27T08:00:00.000Z', '2026-03-27T11:00:00.000Z'],
      ['session-13@fabrik.example', '2026-04-24T07:00:00.000Z', '2026-04-24T10:00:00.000Z'],
    ])
  })

  it('writes SEQUENCE (even 0), UTC DTSTAMP and LAST-MODIFIED from the stamp', () => {
    const ics = feedCalendar(feedInput)
    expect(ics).toContain('\r\nSEQUENCE:0\r\n')
    expect(ics).toContain('\r\nSEQUENCE:2\r\n')
    const stamps = ics.split('\r\n').filter((l) => l.startsWith('DTSTAMP'))
    expect(stamps).toEqual(['DTSTAMP:20260301T101500Z', 'DTSTAMP:20260402T160000Z'])
    expect(ics).toContain('\r\nLAST-MODIFIED:20260301T101500Z\r\n')
    expect(parseIcs(ics).events.map((e) => e.sequence)).toEqual([0, 2])
  })

  it('has calendar name, refresh hints, no METHOD and no ATTENDEE', () => {
    const ics = feedCalendar(feedInput)
    const lines = unfold(ics).split('\r\n')
    expect(lines).toContain('NAME:Fabrik — tables rondes')
    expect(lines).toContain('X-WR-CALNAME:Fabrik — tables rondes')
    expect(lines).toContain('REFRESH-INTERVAL;VALUE=DURATION:PT12H')
    expect(lines).toContain('X-PUBLISHED-TTL:PT12H')
    expect(lines).toContain('PRODID:-//Fabrik//Fabrik//FR')
    expect(lines.some((l) => l.startsWith('METHOD'))).toBe(false)
    expect(lines.some((l) => /^ATTENDEE/i.test(l))).toBe(false)
    const parsed = parseIcs(ics)
    expect(parsed.method).toBeNull()
    expect(parsed.events.every((e) => e.attendees.length === 0)).toBe(true)
    expect(parsed.events[0]?.organizer).toBe('mailto:agenda@fabrik.example')
  })

  it('keeps cancelled sessions with STATUS:CANCELLED', () => {
    const parsed = parseIcs(feedCalendar(feedInput))
    expect(parsed.events.map((e) => e.status)).toEqual(['CONFIRMED', 'CANCELLED'])
  })

  it('is byte-identical when built twice, whatever the host time zone', () => {
    process.env.TZ = 'UTC'
    const a = feedCalendar(feedInput)
    process.env.TZ = 'America/New_York'
    const b = feedCalendar(feedInput)
    expect(parseIcs(b).events[0]?.start).toBe('2026-03-27T08:00:00.000Z')
    process.env.TZ = 'Pacific/Kiritimati'
    const c = feedCalendar(feedInput)
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(feedCalendar(structuredClone(feedInput))).toBe(a)
  })

  it('accepts explicit offsets and normalises them to UTC', () => {
    const ics = feedCalendar({ ...feedInput, events: [{ ...march, start: '2026-03-27T09:00:00+01:00', end: '2026-03-27T12:00:00+01:00' }] })
    expect(ics).toContain('\r\nDTSTART:20260327T080000Z\r\n')
    expect(ics).toContain('\r\nDTEND:20260327T110000Z\r\n')
  })

  it('rejects floating times, reversed ranges and unsafe UIDs', () => {
    const build = (e: Partial<IcsEvent>) => () => feedCalendar({ ...feedInput, events: [{ ...march, ...e }] })
    expect(build({ start: '2026-03-27T09:00:00' })).toThrow(/start/)
    expect(build({ stamp: 'yesterday' })).toThrow(/stamp/)
    expect(build({ end: march.start })).toThrow(/after start/)
    expect(build({ uid: 'x\r\nX-INJ:1' })).toThrow(/uid/)
    expect(build({ sequence: -1 })).toThrow(/sequence/)
    expect(() => feedCalendar({ ...feedInput, refreshHours: 0 })).toThrow(/refreshHours/)
  })

  it('neutralises injection in name, description, summary, location', () => {
    const evil = 'Evil\r\nX-INJ:1\r\nATTENDEE:mailto:evil@x.example;"q",\\ <script>alert(1)</script>\u0000\u001b[2J\u202egnp.exe'
    const ics = feedCalendar({
      name: evil,
      description: evil,
      refreshHours: 24,
      organizer: { name: evil, email: 'agenda@fabrik.example' },
      events: [{ ...march, summary: evil, description: evil, location: evil }],
    })
    expect(lintIcs(ics)).toEqual([])
    const parsed = parseIcs(ics)
    const event = parsed.events[0]
    expect(parsed.name).toBe(singleLine(evil))
    expect(unfold(ics).split('\r\n')).toContain(`NAME:${escapeText(singleLine(evil))}`)
    expect(event?.summary).toBe(singleLine(evil))
    expect(event?.location).toBe(singleLine(evil))
    expect(event?.description).toBe(stripControl(evil))
    expect(event?.organizerCn).toBe('Evil X-INJ:1 ATTENDEE:mailto:evil@x.example;q, scriptalert(1)/script[2Jgnp.exe')
    expect(parsed.propertyNames).not.toContain('X-INJ')
    expect(event?.propertyNames).not.toContain('X-INJ')
    expect(event?.attendees).toEqual([])
    expect(unfold(ics).split('\r\n').filter((l) => /^(X-INJ|ATTENDEE)/.test(l))).toEqual([])
  })

  it('folds long French text with accents and emoji at ≤ 75 octets without splitting characters', () => {
    const long =
      'Table ronde des initiatives sociales et solidaires — réunion préparatoire 🎉🤝 avec les porteurs de projets, élus, bénévoles ; accès PMR, café offert ☕. '.repeat(4)
    const ics = feedCalendar({ ...feedInput, name: long, events: [{ ...march, summary: long, description: long, location: long }] })
    expect(lintIcs(ics)).toEqual([])
    expect(ics.split('\r\n').length).toBeGreaterThan(30)
    const event = parseIcs(ics).events[0]
    expect(event?.summary).toBe(singleLine(long))
    expect(event?.description).toBe(long.trim())
  })
})

describe('CONFERENCE', () => {
  const visio = 'https://visio.example/fabrik-table-ronde-des-initiatives-sociales-de-mars-2026?pwd=Xy.1'
  const remote: IcsEvent = { ...march, location: null, conferenceUrl: visio }

  it('adds a folded RFC 7986 CONFERENCE line that ical.js reads as the URL', () => {
    const ics = feedCalendar({ ...feedInput, events: [remote, aprilCancelled] })
    expect(lintIcs(ics)).toEqual([])
    expect(unfold(ics)).toContain(`\r\nCONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO;LABEL=Visioconférence:${visio}\r\nEND:VEVENT\r\n`)
    const [first, second] = parseIcs(ics).events
    expect(first?.conference).toBe(visio)
    expect(first?.location).toBe(visio)
    expect(first?.description).toBe(`${march.description}\n\nVisioconférence : ${visio}`)
    expect(second?.conference).toBeNull()
  })

  it('does not repeat the link when the description already has it', () => {
    const ics = singleEventCalendar({ ...remote, description: `Lien : ${visio}` }, null)
    expect(parseIcs(ics).events[0]?.description).toBe(`Lien : ${visio}`)
  })

  it.each(['http://visio.example/x', 'javascript:alert(1)', 'data:text/html,x', 'https://u:p@visio.example/', 'https://visio.example/a\r\nX-INJ:1'])(
    'refuses conference URL %j',
    (conferenceUrl) => {
      expect(() => singleEventCalendar({ ...march, conferenceUrl }, null)).toThrow(/conferenceUrl/)
    },
  )

  it('refuses a javascript: session URL', () => {
    expect(() => singleEventCalendar({ ...march, url: 'javascript:alert(1)' }, null)).toThrow(/url/)
  })
})

describe('singleEventCalendar', () => {
  it('produces the exact expected text', () => {
    expect(singleEventCalendar(march, organizer)).toBe(
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//Fabrik//Fabrik//FR',
        'BEGIN:VEVENT',
        'UID:session-12@fabrik.example',
        'SEQUENCE:0',
        'DTSTAMP:20260301T101500Z',
        'DTSTART:20260327T080000Z',
        'DTEND:20260327T110000Z',
        'SUMMARY:Table ronde de mars',
        'LOCATION:12 rue de la Paix\\, 59000 Lille',
        'DESCRIPTION:Ordre du jour :\\n1. Accueil\\n2. Projets',
        'ORGANIZER;CN="Fabrik":mailto:agenda@fabrik.example',
        'URL;VALUE=URI:https://fabrik.example/sessions/12',
        'STATUS:CONFIRMED',
        'LAST-MODIFIED:20260301T101500Z',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    )
  })

  it('has no METHOD, NAME or X-WR-CALNAME', () => {
    const parsed = parseIcs(singleEventCalendar(march, null))
    expect(parsed.method).toBeNull()
    expect(parsed.propertyNames).toEqual(['VERSION', 'PRODID'])
    expect(parsed.events[0]?.organizer).toBeNull()
  })
})

describe('foldLine', () => {
  const octets = (s: string) => Buffer.byteLength(s, 'utf8')

  it('leaves short lines alone', () => {
    expect(foldLine('SUMMARY:court')).toBe('SUMMARY:court')
    expect(foldLine('X'.repeat(75))).toBe('X'.repeat(75))
  })

  it('folds ASCII at exactly 75 octets with one leading space', () => {
    const folded = foldLine('X'.repeat(200))
    const lines = folded.split('\r\n')
    expect(lines.map(octets)).toEqual([75, 75, 52])
    expect(lines.slice(1).every((l) => l.startsWith(' ') && !l.startsWith('  '))).toBe(true)
    expect(folded.replace(/\r\n /g, '')).toBe('X'.repeat(200))
  })

  it('never splits multi-byte characters', () => {
    for (let pad = 0; pad < 4; pad++) {
      const line = 'D:' + 'x'.repeat(pad) + 'é🎉€'.repeat(40)
      const folded = foldLine(line)
      expect(lintIcs(`BEGIN:VCALENDAR\r\n${folded}\r\nEND:VCALENDAR\r\n`)).toEqual([])
      expect(folded.replace(/\r\n /g, '')).toBe(line)
    }
  })

  it('refuses embedded line breaks', () => {
    expect(() => foldLine('SUMMARY:a\r\nX-INJ:1')).toThrow()
  })
})

describe('lintIcs', () => {
  const good = singleEventCalendar(march, organizer)

  it('catches the defects that parsers silently accept', () => {
    expect(lintIcs(good.replace(/\r\n/g, '\n'))).toContain('text does not end with CRLF')
    expect(lintIcs(good.slice(0, -2)).some((p) => p.includes('CRLF'))).toBe(true)
    expect(lintIcs(good.replace('SUMMARY:Table ronde de mars', 'SUMMARY:' + 'x'.repeat(80))).some((p) => p.includes('> 75'))).toBe(true)
    expect(lintIcs(good.replace('DTSTAMP:20260301T101500Z', 'DTSTAMP:20260301T101500')).some((p) => p.includes('DTSTAMP'))).toBe(true)
    expect(lintIcs(good.replace('DTSTART:20260327T080000Z', 'DTSTART;TZID=Europe/Paris:20260327T090000')).some((p) => p.includes('DTSTART'))).toBe(true)
    expect(lintIcs(good.replace('END:VEVENT\r\n', '')).length).toBeGreaterThan(0)
    expect(lintIcs(good.replace('Table ronde', 'Table\u001bronde')).some((p) => p.includes('control'))).toBe(true)
  })

  it('catches a fold inside a UTF-8 sequence in raw bytes', () => {
    const bytes = Buffer.from(good.replace('Table ronde de mars', 'é'), 'utf8')
    const at = bytes.indexOf(Buffer.from('é', 'utf8'))
    const broken = Buffer.concat([bytes.subarray(0, at + 1), Buffer.from('\r\n '), bytes.subarray(at + 1)])
    expect(lintIcs(broken).some((p) => p.includes('UTF-8'))).toBe(true)
  })
})
