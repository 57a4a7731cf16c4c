import { isValidDate } from '../calendar/zoned.js'

// The period of a Bilan: a calendar year by default (?year=YYYY, or nothing: the current year), or any date
// range (?from=YYYY-MM-DD&to=YYYY-MM-DD), both ends included, in the platform's wall-clock dates (a session's
// date is already local). Targets are set per calendar year: `year` is set only when the period is one.

export interface Period {
  from: string
  to: string
  /** The calendar year when the period is exactly one (1 January to 31 December), else null. */
  year: number | null
}

export const MIN_YEAR = 2000
export const MAX_YEAR = 2100

export type PeriodResult = { ok: true; period: Period } | { ok: false; message: string; values: { year: string; from: string; to: string } }

export const yearPeriod = (year: number): Period => ({ from: `${year}-01-01`, to: `${year}-12-31`, year })

/** The year of a range that is exactly one calendar year, else null. */
function wholeYear(from: string, to: string): number | null {
  const y = from.slice(0, 4)
  return from === `${y}-01-01` && to === `${y}-12-31` ? Number(y) : null
}

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : v === undefined ? '' : null)

/** The period a query asks for, or the French reason it is not one (a repeated parameter is not one either). */
export function parsePeriod(query: Record<string, unknown>, currentYear: number): PeriodResult {
  const year = text(query.year)
  const from = text(query.from)
  const to = text(query.to)
  const values = { year: year ?? '', from: from ?? '', to: to ?? '' }
  const fail = (message: string): PeriodResult => ({ ok: false, message, values })
  if (year === null || from === null || to === null) return fail('Indiquez une seule année, ou une seule date de début et de fin.')
  const inRange = (y: number) => y >= MIN_YEAR && y <= MAX_YEAR
  if (from === '' && to === '') {
    if (year === '') return { ok: true, period: yearPeriod(currentYear) }
    if (!/^\d{4}$/.test(year) || !inRange(Number(year))) return fail(`Indiquez une année sur quatre chiffres, entre ${MIN_YEAR} et ${MAX_YEAR}.`)
    return { ok: true, period: yearPeriod(Number(year)) }
  }
  if (year !== '') return fail('Indiquez soit une année, soit une période (du … au …), pas les deux.')
  if (from === '') return fail('Indiquez la date de début de la période.')
  if (to === '') return fail('Indiquez la date de fin de la période.')
  if (!isValidDate(from)) return fail('La date de début doit être une date du calendrier, au format AAAA-MM-JJ (par exemple 2026-09-01).')
  if (!isValidDate(to)) return fail('La date de fin doit être une date du calendrier, au format AAAA-MM-JJ (par exemple 2027-08-31).')
  if (!inRange(Number(from.slice(0, 4))) || !inRange(Number(to.slice(0, 4)))) return fail(`Les dates vont de ${MIN_YEAR} à ${MAX_YEAR}.`)
  if (to < from) return fail('La date de fin est avant la date de début.')
  return { ok: true, period: { from, to, year: wholeYear(from, to) } }
}

/** The query string that asks for this period again: year=YYYY for a calendar year, else from=…&to=…. */
export function periodQuery(p: Period): string {
  return p.year !== null ? `year=${p.year}` : `from=${p.from}&to=${p.to}`
}

/** A short name for titles and file names: "2026", or "2026-09-01_2027-08-31". */
export function periodSlug(p: Period): string {
  return p.year !== null ? String(p.year) : `${p.from}_${p.to}`
}

const longFmt = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
const dayMonthFmt = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', timeZone: 'UTC' })
const french = (fmt: Intl.DateTimeFormat, date: string) =>
  fmt.formatToParts(new Date(`${date}T00:00:00Z`)).map((x) => (x.type === 'day' && x.value === '1' ? '1er' : x.value)).join('')

/** "du 1er janvier au 31 décembre 2026", "du 1er septembre 2026 au 31 août 2027". */
export function periodWords(p: Period): string {
  const sameYear = p.from.slice(0, 4) === p.to.slice(0, 4)
  return `du ${french(sameYear ? dayMonthFmt : longFmt, p.from)} au ${french(longFmt, p.to)}`
}

/** "2026", or "du 1er septembre 2026 au 31 août 2027": what the page's title says. */
export function periodTitle(p: Period): string {
  return p.year !== null ? String(p.year) : periodWords(p)
}
