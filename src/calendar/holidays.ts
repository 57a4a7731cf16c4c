// Public holidays (type `public` only) with French names, via date-holidays; and what that library knows of
// countries, their regions and their time zones (what a new platform may choose).
import type Holidays from 'date-holidays'
import { requireLater } from '../require-later.js'

// Its rules for every country weigh some 16 MB that a server answering pages never needs.
const loadHolidays = requireLater<typeof Holidays>('date-holidays')

/** ISO 3166-1 alpha-2 code of a country date-holidays knows ('FR', 'BE', …). */
export type Country = string

/**
 * A date-holidays state of a country (FR '57', '67', '68': the Alsace-Moselle departments), or null for the
 * national calendar.
 */
export type Region = string | null

const engines = new Map<string, Holidays>()
const cache = new Map<string, Map<string, string>>()

function engine(country: Country, region: Region): Holidays {
  const key = `${country}:${region ?? ''}`
  let hd = engines.get(key)
  if (!hd) {
    const H = loadHolidays()
    const options = { languages: ['fr'], types: ['public' as const] }
    hd = region ? new H(country, region, options) : new H(country, options)
    engines.set(key, hd)
  }
  return hd
}

/** Date `YYYY-MM-DD` -> French name of the public holiday(s) of that day. */
export function publicHolidays(country: Country, year: number, region: Region = null): Map<string, string> {
  // A copy, so that callers cannot corrupt the cache.
  return new Map(load(country, region, year))
}

function load(country: Country, region: Region, year: number): Map<string, string> {
  if (!isHolidayCountry(country)) throw new Error(`Unsupported country: ${String(country)}`)
  if (region !== null && !Object.hasOwn(statesOf(country), region)) throw new Error(`Unknown region ${String(region)} of ${country}`)
  if (!Number.isInteger(year)) throw new Error(`Invalid year: ${year}`)
  const key = `${country}:${region ?? ''}:${year}`
  const cached = cache.get(key)
  if (cached) return cached

  const result = new Map<string, string>()
  for (const h of engine(country, region).getHolidays(year, 'fr')) {
    if (h.type !== 'public') continue
    // `start` is a Date whose calendar day depends on the host zone; the
    // `date` string ("2026-12-25 00:00:00") is the local date we want.
    const date = h.date.slice(0, 10)
    const previous = result.get(date)
    // Two holidays can share a day (FR 2008-05-01: Fête du travail + Ascension).
    result.set(date, previous && previous !== h.name ? `${previous} et ${h.name}` : h.name)
  }
  cache.set(key, result)
  return result
}

export function holidayName(country: Country, date: string, region: Region = null): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`Invalid date (expected YYYY-MM-DD): ${date}`)
  return load(country, region, Number(date.slice(0, 4))).get(date) ?? null
}

// --- What a platform may choose ------------------------------------------------------------------------

let countryNames: Record<string, string> | undefined
const states = new Map<string, Record<string, string>>()
const differing = new Map<string, HolidayRegion[]>()

// date-holidays names many countries in their own language ("Deutschland"): Intl knows the French names.
const frenchRegionNames = new Intl.DisplayNames('fr', { type: 'region', fallback: 'none' })

function countries(): Record<string, string> {
  countryNames ??= Object.fromEntries(Object.entries(new (loadHolidays())().getCountries('fr'))
    .map(([code, name]) => [code, frenchRegionNames.of(code) ?? name]))
  return countryNames
}

function statesOf(country: Country): Record<string, string> {
  let s = states.get(country)
  if (!s) {
    s = new (loadHolidays())().getStates(country, 'fr') ?? {}
    states.set(country, s)
  }
  return s
}

export function isHolidayCountry(country: unknown): country is Country {
  return typeof country === 'string' && /^[A-Z]{2}$/.test(country) && Object.hasOwn(countries(), country)
}

/** Every country date-holidays knows, by French name (France and Belgium first: the platforms we know). */
export function holidayCountries(): Array<{ code: Country; name: string }> {
  const collator = new Intl.Collator('fr', { sensitivity: 'base' })
  const all = Object.entries(countries()).map(([code, name]) => ({ code, name }))
  const first = ['FR', 'BE'].map((c) => all.find((x) => x.code === c)!).filter(Boolean)
  return [...first, ...all.filter((x) => !['FR', 'BE'].includes(x.code)).sort((a, b) => collator.compare(a.name, b.name))]
}

export function countryName(country: Country): string {
  return countries()[country] ?? country
}

export interface HolidayRegion { code: string; name: string }

// date-holidays names FR departments "Département Moselle"; people say Alsace-Moselle.
const REGION_NAMES: Record<string, string> = {
  'FR:57': 'Alsace-Moselle : Moselle (57)',
  'FR:67': 'Alsace-Moselle : Bas-Rhin (67)',
  'FR:68': 'Alsace-Moselle : Haut-Rhin (68)',
}

// Years over which a region's public holidays are compared with the country's.
const SAMPLE_YEARS = [2025, 2026, 2027, 2028]

function fingerprint(country: Country, region: Region): string {
  return SAMPLE_YEARS.map((y) => [...load(country, region, y)].map(([d, n]) => `${d} ${n}`).join('|')).join('\n')
}

/**
 * The regions of a country whose public holidays differ from the national ones (only there does a platform
 * need to say where it is): FR gives Alsace-Moselle and the overseas departments, BE none.
 */
export function holidayRegions(country: Country): HolidayRegion[] {
  if (!isHolidayCountry(country)) return []
  let list = differing.get(country)
  if (!list) {
    const national = fingerprint(country, null)
    list = Object.entries(statesOf(country))
      .filter(([code]) => fingerprint(country, code) !== national)
      .map(([code, name]) => ({ code, name: REGION_NAMES[`${country}:${code}`] ?? `${name} (${code})` }))
    differing.set(country, list)
  }
  return list
}

/** The region as stored ('67'), from what someone typed: '67', 'fr-67', 'FR-67'; undefined when unknown. */
export function findHolidayRegion(country: Country, typed: string): HolidayRegion | undefined {
  const code = typed.trim().toUpperCase().replace(new RegExp(`^${country}-`), '')
  return holidayRegions(country).find((r) => r.code.toUpperCase() === code)
}

/** The IANA zones of a country, or of one of its regions (FR 'RE': Indian/Reunion). */
export function countryTimezones(country: Country, region: Region = null): string[] {
  if (!isHolidayCountry(country)) return []
  const H = loadHolidays()
  const hd = region ? new H(country, region) : new H(country)
  return hd.getTimezones() ?? []
}
