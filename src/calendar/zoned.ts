// Wall time <-> instant conversions and French date formatting.
// Rule: never read the host timezone. Every luxon value gets an explicit zone,
// and dates-without-time are handled as UTC midnights purely as carriers.
import { DateTime, IANAZone } from 'luxon'

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/
const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/

export function isValidDate(s: string): boolean {
  return typeof s === 'string' && DATE_RE.test(s) && DateTime.fromISO(s, { zone: 'utc' }).isValid
}

export function isValidTime(s: string): boolean {
  return typeof s === 'string' && TIME_RE.test(s)
}

// luxon's IANAZone.isValidZone builds a new Intl.DateTimeFormat on each call (~150 µs, and native memory
// the GC does not see): measured by `npm run bench` as most of a page's CPU and a 1.4 GB peak RSS.
const zoneValidity = new Map<string, boolean>()

// A tz database name ('Europe/Paris', 'UTC', 'Etc/GMT-1') starts with a letter. Intl on Node 22 and later
// also takes UTC offsets ('+01:00', '-05', '\u221201:00'), which know no summer time: a platform saved
// with one would drift an hour twice a year, and calendar clients do not know them as a TZID.
const TZ_NAME_RE = /^[A-Za-z][A-Za-z0-9_+\-/]*$/

/** An IANA time zone name the runtime knows; UTC offsets are not zones here, whatever Intl accepts. */
export function isValidZone(zone: string): boolean {
  if (typeof zone !== 'string' || !TZ_NAME_RE.test(zone)) return false
  let valid = zoneValidity.get(zone)
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone)
    if (zoneValidity.size < 1000) zoneValidity.set(zone, valid)
  }
  return valid
}

function assertDate(date: string): void {
  if (!isValidDate(date)) throw new Error(`Invalid date (expected YYYY-MM-DD): ${String(date)}`)
}

function assertTime(time: string): void {
  if (!isValidTime(time)) throw new Error(`Invalid time (expected HH:MM): ${String(time)}`)
}

function assertZone(zone: string): void {
  if (!isValidZone(zone)) throw new Error(`Invalid IANA time zone: ${String(zone)}`)
}

/** Wall time `date time` in `zone` -> UTC ISO string (`2026-03-27T08:00:00.000Z`). */
export function toInstant(date: string, time: string, zone: string): string {
  assertDate(date)
  assertTime(time)
  assertZone(zone)
  const dt = DateTime.fromISO(`${date}T${time}`, { zone })
  // luxon silently shifts wall times that fall in a DST gap (02:30 on the
  // spring-forward day becomes 03:30); such a time does not exist, so refuse it.
  if (!dt.isValid || dt.toFormat('yyyy-MM-dd HH:mm') !== `${date} ${time}`) {
    throw new Error(`Wall time ${date} ${time} does not exist in ${zone}`)
  }
  return dt.toUTC().toISO() as string
}

/** Instant -> ISO string with the zone's offset, no milliseconds (`2026-03-27T09:00:00+01:00`). */
export function toOffsetIso(instant: string, zone: string): string {
  assertZone(zone)
  // An instant without an explicit offset is read as UTC, never as host time.
  const dt = DateTime.fromISO(instant, { zone: 'utc' })
  if (!dt.isValid) throw new Error(`Invalid instant: ${String(instant)}`)
  return dt.setZone(zone).set({ millisecond: 0 }).toISO({ suppressMilliseconds: true }) as string
}

/** Calendar date (`YYYY-MM-DD`) of `now` as seen in `zone`. */
export function todayIn(zone: string, now: Date): string {
  assertZone(zone)
  const dt = DateTime.fromJSDate(now, { zone })
  if (!dt.isValid) throw new Error('Invalid Date for todayIn')
  return dt.toISODate() as string
}

export function addDays(date: string, days: number): string {
  assertDate(date)
  if (!Number.isInteger(days)) throw new Error(`Invalid number of days: ${days}`)
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate() as string
}

/** Wall-clock arithmetic within one day (agenda items); 24:00 and beyond are refused. */
export function addMinutesToTime(time: string, minutes: number): string {
  assertTime(time)
  if (!Number.isInteger(minutes)) throw new Error(`Invalid number of minutes: ${minutes}`)
  const [h, m] = time.split(':').map(Number) as [number, number]
  const total = h * 60 + m + minutes
  if (total < 0 || total >= 24 * 60) throw new Error(`${time} + ${minutes} min leaves the day`)
  return `${pad2(Math.floor(total / 60))}:${pad2(total % 60)}`
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

// Formatting in timeZone 'UTC' of a UTC-midnight carrier keeps the calendar
// date intact whatever the host zone is.
function carrier(date: string): Date {
  assertDate(date)
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d))
}

const longFmt = new Intl.DateTimeFormat('fr-FR', {
  weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC',
})
const shortFmt = new Intl.DateTimeFormat('fr-FR', {
  weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC',
})
const monthFmt = new Intl.DateTimeFormat('fr-FR', { month: 'long', timeZone: 'UTC' })

/** `Vendredi 26 février 2021`; French writes the first of the month `1er`. */
export function formatLongDate(date: string): string {
  const text = longFmt
    .formatToParts(carrier(date))
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('')
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** `ven. 26 févr. 2021` (Intl's abbreviations, as is). */
export function formatShortDate(date: string): string {
  return shortFmt.format(carrier(date))
}

/** `9 h`, `9 h 30`, `14 h 05`. */
export function formatTime(time: string): string {
  assertTime(time)
  const [h, m] = time.split(':') as [string, string]
  const hours = String(Number(h))
  return m === '00' ? `${hours} h` : `${hours} h ${m}`
}

/** `9 h – 12 h` (en dash). */
export function formatTimeRange(start: string, end: string): string {
  return `${formatTime(start)} – ${formatTime(end)}`
}

/** 1 -> `janvier` … 12 -> `décembre`. */
export function monthNameFr(month: number): string {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new Error(`Invalid month: ${month}`)
  return monthFmt.format(new Date(Date.UTC(2000, month - 1, 1)))
}

/** "Vendredi 27 mars 2026" reads "vendredi 27 mars 2026" inside a sentence. */
export function inSentence(longDate: string): string {
  return longDate.charAt(0).toLowerCase() + longDate.slice(1)
}
