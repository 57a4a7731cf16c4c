import { DateTime } from 'luxon'
import { formatLongDate, formatShortDate, formatTime } from '../calendar/zoned.js'
import type { ReferralStatus } from '../db/schema.js'
import type { ReferralListing } from './reads.js'
import { isOverdue, nextStatuses, type ReferralActor, STATUS_LABELS } from './status.js'

// Referrals as the pages show them: French dates and labels, overdue flags, the statuses one may choose.

export interface Choice { value: ReferralStatus; label: string }

export function statusChoices(from: ReferralStatus, by: ReferralActor): Choice[] {
  return nextStatuses(from, by).map((value) => ({ value, label: STATUS_LABELS[value] }))
}

/** 'ven. 12 mars 2027 à 14 h 05' in the platform's zone, for a history entry. */
export function whenLabel(iso: string, zone: string): string {
  const t = DateTime.fromISO(iso, { zone })
  return `${formatShortDate(t.toISODate()!)} à ${formatTime(t.toFormat('HH:mm'))}`
}

// A platform's referrals share a few dozen session and follow-up days: each is formatted once (Intl's
// formatToParts is most of what listing hundreds of referrals costs). Bounded: a day is one short string.
const longDates = new Map<string, string>()
function longDate(day: string): string {
  let text = longDates.get(day)
  if (text === undefined) {
    if (longDates.size >= 5000) longDates.clear()
    longDates.set(day, (text = formatLongDate(day)))
  }
  return text
}

export function presentReferral(r: ReferralListing, today: string) {
  return {
    ...r,
    statusLabel: STATUS_LABELS[r.status],
    followUp: r.follow_up_on ? longDate(r.follow_up_on) : null,
    sessionDay: longDate(r.session_date),
    overdue: isOverdue(r, today),
  }
}

export type PresentedReferral = ReturnType<typeof presentReferral>

type Urgency = Pick<PresentedReferral, 'overdue' | 'follow_up_on' | 'id'>

/** The Orientations page's order: overdue first (the longest overdue first), then by follow-up day, undated last. */
export function byUrgency(a: Urgency, b: Urgency): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1
  const fa = a.follow_up_on ?? '9999-12-31'
  const fb = b.follow_up_on ?? '9999-12-31'
  return fa < fb ? -1 : fa > fb ? 1 : a.id - b.id
}

/** The Orientations page lists this many at a time ("Orientations suivantes"): nobody reads hundreds at once. */
export const REFERRALS_PER_PAGE = 50

/** Page `page` (from 1) of the sorted list, and how many pages there are (at least one). */
export function pageOf<T>(sorted: T[], page: number, size = REFERRALS_PER_PAGE): { rows: T[]; page: number; pages: number; first: number } {
  const pages = Math.max(1, Math.ceil(sorted.length / size))
  const current = Math.min(Math.max(1, page), pages)
  const first = (current - 1) * size
  return { rows: sorted.slice(first, first + size), page: current, pages, first: first + 1 }
}
