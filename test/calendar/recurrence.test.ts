import { describe, expect, it } from 'vitest'
import {
  DEFAULT_RRULE,
  lastWeekdayOfMonth,
  plannedDates,
  validateRrule,
} from '../../src/calendar/recurrence.js'
import { addDays } from '../../src/calendar/zoned.js'

const FRIDAY = 5
const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]

function plan(year: number, extra: Partial<Parameters<typeof plannedDates>[0]> = {}) {
  return plannedDates({ rrule: DEFAULT_RRULE, year, skipMonths: [], country: 'FR', ...extra })
}

// Independent of both rrule and luxon: the weekday of a date via Date.UTC.
function isoWeekday(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay() || 7
}

describe('lastWeekdayOfMonth', () => {
  it('finds the last given weekday', () => {
    expect(lastWeekdayOfMonth(2026, 3, FRIDAY)).toBe('2026-03-27')
    expect(lastWeekdayOfMonth(2026, 7, FRIDAY)).toBe('2026-07-31')
    expect(lastWeekdayOfMonth(2028, 2, FRIDAY)).toBe('2028-02-25')
    expect(lastWeekdayOfMonth(2036, 2, FRIDAY)).toBe('2036-02-29')
    expect(lastWeekdayOfMonth(2026, 5, 7)).toBe('2026-05-31')
    expect(lastWeekdayOfMonth(2026, 5, 1)).toBe('2026-05-25')
  })

  it('throws on invalid input', () => {
    expect(() => lastWeekdayOfMonth(2026, 13, FRIDAY)).toThrow()
    expect(() => lastWeekdayOfMonth(2026, 1, 0)).toThrow()
    expect(() => lastWeekdayOfMonth(2026, 1, 8)).toThrow()
  })
})

describe('plannedDates with the default rule (last Friday)', () => {
  it.each([2025, 2026, 2027])('%i: exactly the last Friday of each month', (year) => {
    const dates = plan(year)
    expect(dates.map((d) => d.ruleDate)).toEqual(MONTHS.map((m) => lastWeekdayOfMonth(year, m, FRIDAY)))
    for (const { ruleDate } of dates) {
      expect(isoWeekday(ruleDate)).toBe(FRIDAY)
      // One week later is already next month: it really is the last one.
      expect(addDays(ruleDate, 7).slice(5, 7)).not.toBe(ruleDate.slice(5, 7))
    }
    const moved = dates.filter((d) => d.date !== d.ruleDate).map((d) => d.ruleDate)
    expect(moved).toEqual(year === 2026 ? ['2026-12-25'] : [])
  })

  it('handles months whose last Friday is the 31st', () => {
    expect(plan(2025).map((d) => d.date)).toEqual(expect.arrayContaining(['2025-01-31', '2025-10-31']))
    expect(plan(2026).map((d) => d.date)).toContain('2026-07-31')
    expect(plan(2027).map((d) => d.date)).toContain('2027-12-31')
  })

  it('handles leap-year February', () => {
    expect(plan(2024)[1]?.date).toBe('2024-02-23')
    expect(plan(2028)[1]?.date).toBe('2028-02-25')
    expect(plan(2036)[1]?.date).toBe('2036-02-29')
  })

  it('drops skipped months (judged on the rule date)', () => {
    const dates = plan(2026, { skipMonths: [7, 8] })
    expect(dates).toHaveLength(10)
    expect(dates.map((d) => d.date)).not.toContain('2026-07-31')
    expect(dates.map((d) => d.date)).not.toContain('2026-08-28')
    expect(plan(2026, { skipMonths: [12] }).at(-1)?.date).toBe('2026-11-27')
  })

  it('moves Christmas 2026 (FR) one week earlier, naming Noël', () => {
    expect(plan(2026).at(-1)).toEqual({
      date: '2026-12-18',
      ruleDate: '2026-12-25',
      movedBecause: 'Jour férié : Noël (25 décembre)',
    })
  })

  it('FR May 2021 has four public holidays, none on the last Friday', () => {
    expect(plan(2021)[4]).toEqual({ date: '2021-05-28', ruleDate: '2021-05-28', movedBecause: null })
  })

  it.each(['FR', 'BE'] as const)('%s 2020–2035: only Christmas ever hits the last Friday', (country) => {
    const moved: string[] = []
    for (let year = 2020; year <= 2035; year++) {
      for (const d of plan(year, { country })) if (d.movedBecause) moved.push(d.ruleDate)
    }
    expect(moved).toEqual(['2020-12-25', '2026-12-25'])
  })

  it('returns sorted, unique dates', () => {
    const dates = plan(2026).map((d) => d.date)
    expect([...new Set(dates)].sort()).toEqual(dates)
  })
})

describe('plannedDates with custom rules and holidays', () => {
  it('BE: Easter Monday on the first Monday of April 2024 moves one week earlier', () => {
    const dates = plannedDates({ rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', year: 2024, skipMonths: [], country: 'BE' })
    expect(dates.find((d) => d.ruleDate === '2024-04-01')).toEqual({
      date: '2024-03-25',
      ruleDate: '2024-04-01',
      movedBecause: 'Jour férié : Lundi de Pâques (1er avril)',
    })
  })

  it('BE: 1 January 2024 moves back to 18 December 2023 (Christmas is a Monday too)', () => {
    const dates = plannedDates({ rrule: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', year: 2024, skipMonths: [], country: 'BE' })
    expect(dates[0]).toEqual({
      date: '2023-12-18',
      ruleDate: '2024-01-01',
      movedBecause: 'Jours fériés : Nouvel An (1er janvier), Noël (25 décembre)',
    })
  })

  it('BE national day (21 July) moves, not in FR; 14 July is not a BE holiday', () => {
    const rule = 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=3'
    const be = plannedDates({ rrule: rule, year: 2026, skipMonths: [], country: 'BE' })
    const fr = plannedDates({ rrule: rule, year: 2026, skipMonths: [], country: 'FR' })
    expect(be[6]).toEqual({ date: '2026-07-14', ruleDate: '2026-07-21', movedBecause: 'Jour férié : Fête nationale (21 juillet)' })
    expect(fr[6]).toEqual({ date: '2026-07-21', ruleDate: '2026-07-21', movedBecause: null })
  })

  it('FR: Ascension 2021 (second Thursday of May) moves to 6 May', () => {
    const dates = plannedDates({ rrule: 'FREQ=MONTHLY;BYDAY=TH;BYSETPOS=2', year: 2021, skipMonths: [], country: 'FR' })
    expect(dates[4]).toEqual({ date: '2021-05-06', ruleDate: '2021-05-13', movedBecause: 'Jour férié : Ascension (13 mai)' })
  })

  it('FR: keeps moving while the earlier date is also a holiday (8 May → 1 May → 24 April 2026)', () => {
    const dates = plannedDates({ rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=2', year: 2026, skipMonths: [], country: 'FR' })
    expect(dates[4]).toEqual({
      date: '2026-04-24',
      ruleDate: '2026-05-08',
      movedBecause: 'Jours fériés : Fête de la Victoire 1945 (8 mai), Fête du travail (1er mai)',
    })
    expect(dates[3]?.date).toBe('2026-04-10')
  })

  it('weekly rule: a moved date landing on another session collapses into it', () => {
    const dates = plannedDates({ rrule: 'FREQ=WEEKLY;BYDAY=FR', year: 2026, skipMonths: [], country: 'FR' })
    const days = dates.map((d) => d.date)
    // 52 Fridays in 2026, three of them holidays (1 May, 8 May, 25 December).
    expect(dates).toHaveLength(49)
    expect(new Set(days).size).toBe(days.length)
    expect([...days].sort()).toEqual(days)
    expect(days).not.toContain('2026-12-25')
    expect(dates.find((d) => d.date === '2026-12-18')?.movedBecause).toBeNull()
  })

  it('yearly 29 February only exists in leap years', () => {
    const rule = 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29'
    expect(validateRrule(rule)).toBeNull()
    expect(plannedDates({ rrule: rule, year: 2026, skipMonths: [], country: 'FR' })).toEqual([])
    expect(plannedDates({ rrule: rule, year: 2028, skipMonths: [], country: 'FR' }).map((d) => d.date)).toEqual(['2028-02-29'])
  })

  it('throws on invalid input', () => {
    expect(() => plannedDates({ rrule: 'FREQ=MONTHLY;COUNT=3', year: 2026, skipMonths: [], country: 'FR' })).toThrow(/COUNT/)
    expect(() => plan(2026.5)).toThrow()
    expect(() => plan(2026, { skipMonths: [13] })).toThrow()
  })
})

describe('validateRrule', () => {
  it('accepts valid rules, case-insensitively, with an optional RRULE: prefix', () => {
    expect(validateRrule(DEFAULT_RRULE)).toBeNull()
    expect(validateRrule('freq=monthly;byday=fr;bysetpos=-1')).toBeNull()
    expect(validateRrule('RRULE:FREQ=MONTHLY;BYDAY=-1FR')).toBeNull()
    expect(validateRrule(' FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1; ')).toBeNull()
    expect(validateRrule('FREQ=WEEKLY;INTERVAL=2;BYDAY=TU')).toBeNull()
  })

  it('gives the same dates for lower-case and upper-case rules', () => {
    const lower = plannedDates({ rrule: DEFAULT_RRULE.toLowerCase(), year: 2026, skipMonths: [], country: 'FR' })
    expect(lower).toEqual(plan(2026))
  })

  it.each([
    ['', /vide/],
    ['   ', /vide/],
    ['BYDAY=FR;BYSETPOS=-1', /FREQ/],
    ['FREQ=MONTHLY;COUNT=3', /COUNT/],
    ['FREQ=MONTHLY;UNTIL=20261231T000000Z', /UNTIL/],
    ['DTSTART=20260101;FREQ=MONTHLY', /DTSTART/],
    ['DTSTART:20260101T000000Z\nRRULE:FREQ=MONTHLY', /une seule ligne/],
    ['FREQ=FOO', /Fréquence/],
    ['FREQ=HOURLY', /fréquence/],
    ['FREQ=MONTHLY;FOO=1', /illisible/],
    ['n’importe quoi', /FREQ/],
    ['FREQ=MONTHLY;BYDAY=XX', /invalide/],
    ['FREQ=MONTHLY;BYDAY=FR;BYSETPOS=0', /invalide/],
    ['FREQ=MONTHLY;BYMONTHDAY=40', /aucune date/],
  ])('refuses %j', (rule, message) => {
    expect(validateRrule(rule)).toMatch(message)
  })
})
