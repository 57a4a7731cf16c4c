// Public holidays (type `public` only) with French names, via date-holidays.
import type Holidays from 'date-holidays'
import { requireLater } from '../require-later.js'

// Its rules for every country weigh some 16 MB that a server answering pages never needs.
const loadHolidays = requireLater<typeof Holidays>('date-holidays')

export type Country = 'FR' | 'BE'

const engines = new Map<Country, Holidays>()
const cache = new Map<string, Map<string, string>>()

function engine(country: Country): Holidays {
  let hd = engines.get(country)
  if (!hd) {
    hd = new (loadHolidays())(country, { languages: ['fr'], types: ['public'] })
    engines.set(country, hd)
  }
  return hd
}

/** Date `YYYY-MM-DD` -> French name of the public holiday(s) of that day. */
export function publicHolidays(country: Country, year: number): Map<string, string> {
  // A copy, so that callers cannot corrupt the cache.
  return new Map(load(country, year))
}

function load(country: Country, year: number): Map<string, string> {
  if (country !== 'FR' && country !== 'BE') throw new Error(`Unsupported country: ${String(country)}`)
  if (!Number.isInteger(year)) throw new Error(`Invalid year: ${year}`)
  const key = `${country}:${year}`
  const cached = cache.get(key)
  if (cached) return cached

  const result = new Map<string, string>()
  for (const h of engine(country).getHolidays(year, 'fr')) {
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

export function holidayName(country: Country, date: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`Invalid date (expected YYYY-MM-DD): ${date}`)
  return load(country, Number(date.slice(0, 4))).get(date) ?? null
}
