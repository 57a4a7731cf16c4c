// The year's planned session dates: RRULE expansion, skipped months, holidays.
// rrule ships CommonJS (its ESM build has no "type": "module"): required on first use (planning a year,
// checking a rule).
import type rruleModule from 'rrule'
import type { Options as RRuleOptions } from 'rrule'
import { DateTime } from 'luxon'
import { holidayName, type Country, type Region } from './holidays.js'
import { addDays, monthNameFr } from './zoned.js'
import { requireLater } from '../require-later.js'

const loadRrule = requireLater<typeof rruleModule>('rrule')

export const DEFAULT_RRULE = 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1'

export interface PlannedDate {
  date: string
  ruleDate: string
  movedBecause: string | null
}

const FORBIDDEN_KEYS = ['DTSTART', 'COUNT', 'UNTIL']
const dayOrLonger = () => {
  const { Frequency } = loadRrule()
  return [Frequency.YEARLY, Frequency.MONTHLY, Frequency.WEEKLY, Frequency.DAILY]
}
const EXAMPLE = 'exemple : FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1'

// RFC 5545 values are case-insensitive but rrule only parses upper case
// (`byday=fr` yields a null weekday), so normalise before parsing.
function normalise(rule: string): string {
  const body = rule.trim().toUpperCase().replace(/^RRULE:/, '')
  return body.split(';').map((p) => p.trim()).filter((p) => p !== '').join(';')
}

// Date-only work happens on UTC midnights with no tzid, so rrule never
// touches the host zone; results are read back with UTC getters.
function expand(options: Partial<RRuleOptions>, from: number, to: number, limit?: number): Date[] {
  const rule = new (loadRrule().RRule)({
    ...options,
    tzid: null,
    dtstart: new Date(Date.UTC(from, 0, 1)),
    until: new Date(Date.UTC(to, 11, 31, 23, 59, 59)),
  })
  return limit === undefined ? rule.all() : rule.all((_, i) => i < limit)
}

function parse(rule: string): { options: Partial<RRuleOptions> } | { error: string } {
  if (typeof rule !== 'string' || rule.trim() === '') return { error: 'La règle de récurrence est vide.' }
  if (/[\r\n]/.test(rule)) return { error: 'La règle de récurrence doit tenir sur une seule ligne.' }
  const body = normalise(rule)
  const keys = body.split(';').map((p) => p.split('=')[0])
  const forbidden = keys.find((k) => k !== undefined && FORBIDDEN_KEYS.includes(k))
  if (forbidden) {
    return { error: `La règle ne doit pas contenir ${forbidden} : les bornes de l’année sont fixées par Fabrik.` }
  }
  if (!keys.includes('FREQ')) return { error: `La règle doit préciser une fréquence (FREQ), ${EXAMPLE}.` }

  let options: Partial<RRuleOptions>
  try {
    options = loadRrule().RRule.parseString(body)
  } catch {
    return { error: `Règle de récurrence illisible (${EXAMPLE}).` }
  }
  // parseString is lenient: `FREQ=FOO` just yields no freq, `BYDAY=XX` a null weekday.
  if (options.freq === undefined || options.freq === null) {
    return { error: 'Fréquence (FREQ) inconnue : YEARLY, MONTHLY, WEEKLY ou DAILY.' }
  }
  // Sessions are whole days; sub-daily rules would also expand to millions of instants.
  if (!dayOrLonger().includes(options.freq)) {
    return { error: 'La fréquence doit être YEARLY, MONTHLY, WEEKLY ou DAILY.' }
  }
  try {
    // Some errors (BYSETPOS=0, bad weekday…) only surface when the rule is built.
    if (expand(options, 2024, 2031, 1).length === 0) {
      return { error: 'La règle ne produit aucune date.' }
    }
  } catch {
    return { error: `Règle de récurrence invalide (${EXAMPLE}).` }
  }
  return { options }
}

/** null when the rule is usable, else a French error message. */
export function validateRrule(rule: string): string | null {
  const parsed = parse(rule)
  return 'error' in parsed ? parsed.error : null
}

function dayMonthFr(date: string): string {
  const day = Number(date.slice(8, 10))
  return `${day === 1 ? '1er' : day} ${monthNameFr(Number(date.slice(5, 7)))}`
}

// Same weekday one week earlier, as long as that is also a public holiday.
function avoidHolidays(ruleDate: string, country: Country, region: Region): PlannedDate {
  const reasons: string[] = []
  let date = ruleDate
  for (let name = holidayName(country, date, region); name !== null; name = holidayName(country, date, region)) {
    reasons.push(`${name} (${dayMonthFr(date)})`)
    if (reasons.length > 10) throw new Error(`No holiday-free date found before ${ruleDate}`)
    date = addDays(date, -7)
  }
  if (reasons.length === 0) return { date, ruleDate, movedBecause: null }
  const label = reasons.length === 1 ? 'Jour férié' : 'Jours fériés'
  return { date, ruleDate, movedBecause: `${label} : ${reasons.join(', ')}` }
}

/**
 * Sessions of `year`: the rule's dates minus skipped months (judged on the
 * rule's date), each moved off public holidays. A move may cross into the
 * previous month or even the previous year; the session is kept regardless.
 */
export function plannedDates(input: {
  rrule: string
  year: number
  skipMonths: number[]
  country: Country
  /** Where the holidays differ inside the country (FR '67': Alsace-Moselle); national when absent. */
  region?: Region
}): PlannedDate[] {
  const { year, skipMonths, country } = input
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new Error(`Invalid year: ${year}`)
  if (skipMonths.some((m) => !Number.isInteger(m) || m < 1 || m > 12)) {
    throw new Error(`Invalid skipMonths: ${skipMonths.join(',')}`)
  }
  const parsed = parse(input.rrule)
  if ('error' in parsed) throw new Error(parsed.error)

  const byDate = new Map<string, PlannedDate>()
  for (const d of expand(parsed.options, year, year)) {
    if (skipMonths.includes(d.getUTCMonth() + 1)) continue
    const ruleDate = DateTime.fromJSDate(d, { zone: 'utc' }).toISODate() as string
    const planned = avoidHolidays(ruleDate, country, input.region ?? null)
    // A moved date may land on another rule date (weekly rules): the
    // unmoved occurrence wins, so keep whichever entry was not moved.
    const existing = byDate.get(planned.date)
    if (!existing || (existing.movedBecause !== null && planned.movedBecause === null)) {
      byDate.set(planned.date, planned)
    }
  }
  return [...byDate.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
}

/** Last given ISO weekday (1 = Monday … 7 = Sunday) of a month, `YYYY-MM-DD`. */
export function lastWeekdayOfMonth(year: number, month: number, weekday: number): string {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new Error(`Invalid year/month: ${year}-${month}`)
  }
  if (!Number.isInteger(weekday) || weekday < 1 || weekday > 7) throw new Error(`Invalid weekday: ${weekday}`)
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day')
  return last.minus({ days: (last.weekday - weekday + 7) % 7 }).toISODate() as string
}
