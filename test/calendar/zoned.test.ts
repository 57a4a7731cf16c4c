import { describe, expect, it } from 'vitest'
import {
  addDays,
  addMinutesToTime,
  formatLongDate,
  formatShortDate,
  formatTime,
  formatTimeRange,
  isValidDate,
  isValidTime,
  isValidZone,
  monthNameFr,
  toInstant,
  toOffsetIso,
  todayIn,
} from '../../src/calendar/zoned.js'

const PARIS = 'Europe/Paris'
const BRUSSELS = 'Europe/Brussels'

describe('toInstant / toOffsetIso across DST changes (2026: 29 March, 25 October)', () => {
  const cases: Array<[string, string, string]> = [
    // [date, UTC instant of 09:00 local, offset ISO]
    ['2026-03-27', '2026-03-27T08:00:00.000Z', '2026-03-27T09:00:00+01:00'], // Friday before spring forward
    ['2026-03-29', '2026-03-29T07:00:00.000Z', '2026-03-29T09:00:00+02:00'], // the change day itself
    ['2026-04-03', '2026-04-03T07:00:00.000Z', '2026-04-03T09:00:00+02:00'], // Friday after
    ['2026-04-24', '2026-04-24T07:00:00.000Z', '2026-04-24T09:00:00+02:00'],
    ['2026-10-23', '2026-10-23T07:00:00.000Z', '2026-10-23T09:00:00+02:00'], // Friday before fall back
    ['2026-10-25', '2026-10-25T08:00:00.000Z', '2026-10-25T09:00:00+01:00'], // the change day itself
    ['2026-10-30', '2026-10-30T08:00:00.000Z', '2026-10-30T09:00:00+01:00'], // Friday after
  ]

  for (const zone of [PARIS, BRUSSELS]) {
    it.each(cases)(`${zone}: %s 09:00 keeps its wall time`, (date, instant, offsetIso) => {
      expect(toInstant(date, '09:00', zone)).toBe(instant)
      expect(toOffsetIso(instant, zone)).toBe(offsetIso)
    })
  }

  it('keeps 12:00 as the end of the morning on both sides of the change', () => {
    expect(toInstant('2026-03-27', '12:00', PARIS)).toBe('2026-03-27T11:00:00.000Z')
    expect(toInstant('2026-04-24', '12:00', PARIS)).toBe('2026-04-24T10:00:00.000Z')
  })

  it('refuses a wall time that does not exist (DST gap)', () => {
    expect(() => toInstant('2026-03-29', '02:30', PARIS)).toThrow()
  })

  it('toOffsetIso drops milliseconds and reads offset-less instants as UTC', () => {
    expect(toOffsetIso('2026-03-27T08:00:00.456Z', PARIS)).toBe('2026-03-27T09:00:00+01:00')
    expect(toOffsetIso('2026-03-27T08:00:00', PARIS)).toBe('2026-03-27T09:00:00+01:00')
    expect(toOffsetIso('2026-03-27T09:00:00+01:00', 'UTC')).toBe('2026-03-27T08:00:00Z')
  })

  it('throws on invalid input', () => {
    expect(() => toInstant('2026-02-30', '09:00', PARIS)).toThrow()
    expect(() => toInstant('27/03/2026', '09:00', PARIS)).toThrow()
    expect(() => toInstant('2026-03-27', '9:00', PARIS)).toThrow()
    expect(() => toInstant('2026-03-27', '24:00', PARIS)).toThrow()
    expect(() => toInstant('2026-03-27', '09:00', 'Europe/Atlantis')).toThrow()
    expect(() => toOffsetIso('not an instant', PARIS)).toThrow()
    expect(() => toOffsetIso('2026-03-27T08:00:00.000Z', '')).toThrow()
  })
})

describe('todayIn', () => {
  it('uses the zone’s calendar date near midnight', () => {
    const now = new Date('2026-06-30T22:30:00Z')
    expect(todayIn(PARIS, now)).toBe('2026-07-01')
    expect(todayIn('UTC', now)).toBe('2026-06-30')
    expect(todayIn(PARIS, new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01')
    expect(todayIn(PARIS, new Date('2026-01-01T22:59:59Z'))).toBe('2026-01-01')
  })

  it('throws on an invalid zone or date', () => {
    expect(() => todayIn('Nowhere/Land', new Date())).toThrow()
    expect(() => todayIn(PARIS, new Date('garbage'))).toThrow()
  })
})

describe('addDays', () => {
  it('does calendar arithmetic across months, years, leap days and DST', () => {
    expect(addDays('2026-12-25', -7)).toBe('2026-12-18')
    expect(addDays('2026-01-02', -7)).toBe('2025-12-26')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01')
    expect(addDays('2026-03-28', 1)).toBe('2026-03-29')
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30')
    expect(addDays('2026-10-25', 0)).toBe('2026-10-25')
  })

  it('throws on invalid input', () => {
    expect(() => addDays('2026-13-01', 1)).toThrow()
    expect(() => addDays('2026-01-01', 1.5)).toThrow()
  })
})

describe('validators', () => {
  it('isValidDate is strict', () => {
    expect(isValidDate('2028-02-29')).toBe(true)
    expect(isValidDate('2026-02-29')).toBe(false)
    expect(isValidDate('2026-04-31')).toBe(false)
    expect(isValidDate('2026-1-05')).toBe(false)
    expect(isValidDate('2026-01-05T00:00')).toBe(false)
    expect(isValidDate('')).toBe(false)
  })

  it('isValidTime accepts 00:00–23:59 only', () => {
    expect(isValidTime('00:00')).toBe(true)
    expect(isValidTime('23:59')).toBe(true)
    expect(isValidTime('24:00')).toBe(false)
    expect(isValidTime('12:60')).toBe(false)
    expect(isValidTime('9:00')).toBe(false)
    expect(isValidTime('09:00:00')).toBe(false)
  })

  it('isValidZone knows IANA zones', () => {
    expect(isValidZone(PARIS)).toBe(true)
    expect(isValidZone(BRUSSELS)).toBe(true)
    expect(isValidZone('UTC')).toBe(true)
    expect(isValidZone('Europe/Pariss')).toBe(false)
    expect(isValidZone('')).toBe(false)
    expect(isValidZone('+01:00')).toBe(false)
  })

  it('isValidZone takes tz database names only, not the UTC offsets newer Intl accepts', () => {
    expect(isValidZone('Etc/UTC')).toBe(true)
    expect(isValidZone('Etc/GMT-1')).toBe(true)
    expect(isValidZone('America/Argentina/Buenos_Aires')).toBe(true)
    expect(isValidZone('America/Port-au-Prince')).toBe(true)
    // Node 22 and 24 take all of these as time zones; Node 20 takes none.
    for (const offset of ['+01:00', '-05:00', '+0100', '+01', '\u221201:00', '+00:00']) {
      expect(isValidZone(offset)).toBe(false)
      expect(() => toInstant('2026-03-27', '09:00', offset)).toThrow('Invalid IANA time zone')
      expect(() => todayIn(offset, new Date('2026-03-27T12:00:00Z'))).toThrow('Invalid IANA time zone')
    }
    expect(isValidZone('UTC+1')).toBe(false)
    expect(isValidZone(' Europe/Paris')).toBe(false)
  })
})

describe('addMinutesToTime', () => {
  it('moves wall-clock time within the day', () => {
    expect(addMinutesToTime('09:00', 15)).toBe('09:15')
    expect(addMinutesToTime('09:50', 25)).toBe('10:15')
    expect(addMinutesToTime('09:00', 180)).toBe('12:00')
    expect(addMinutesToTime('23:00', 59)).toBe('23:59')
    expect(addMinutesToTime('10:00', -30)).toBe('09:30')
  })

  it('throws when leaving the day', () => {
    expect(() => addMinutesToTime('23:30', 30)).toThrow()
    expect(() => addMinutesToTime('23:00', 120)).toThrow()
    expect(() => addMinutesToTime('00:10', -11)).toThrow()
    expect(() => addMinutesToTime('25:00', 1)).toThrow()
  })
})

describe('French formatting', () => {
  it('formatLongDate capitalises the weekday', () => {
    expect(formatLongDate('2021-02-26')).toBe('Vendredi 26 février 2021')
    expect(formatLongDate('2026-12-18')).toBe('Vendredi 18 décembre 2026')
    expect(formatLongDate('2026-08-15')).toBe('Samedi 15 août 2026')
  })

  it('formatLongDate writes the first of the month “1er”', () => {
    expect(formatLongDate('2026-05-01')).toBe('Vendredi 1er mai 2026')
  })

  it('formatShortDate uses Intl abbreviations', () => {
    expect(formatShortDate('2021-02-26')).toBe('ven. 26 févr. 2021')
    expect(formatShortDate('2027-12-31')).toBe('ven. 31 déc. 2027')
  })

  it('formatTime / formatTimeRange', () => {
    expect(formatTime('09:00')).toBe('9 h')
    expect(formatTime('09:30')).toBe('9 h 30')
    expect(formatTime('14:05')).toBe('14 h 05')
    expect(formatTime('00:00')).toBe('0 h')
    expect(formatTimeRange('09:00', '12:00')).toBe('9 h – 12 h')
    expect(formatTimeRange('09:00', '12:00')).toContain('\u2013')
  })

  it('monthNameFr', () => {
    expect(monthNameFr(1)).toBe('janvier')
    expect(monthNameFr(2)).toBe('février')
    expect(monthNameFr(8)).toBe('août')
    expect(monthNameFr(12)).toBe('décembre')
  })

  it('throws on invalid input', () => {
    expect(() => formatLongDate('2021-02-30')).toThrow()
    expect(() => formatShortDate('')).toThrow()
    expect(() => formatTime('9h')).toThrow()
    expect(() => monthNameFr(0)).toThrow()
    expect(() => monthNameFr(13)).toThrow()
  })
})
