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

export function presentReferral(r: ReferralListing, today: string) {
  return {
    ...r,
    statusLabel: STATUS_LABELS[r.status],
    followUp: r.follow_up_on ? formatLongDate(r.follow_up_on) : null,
    sessionDay: formatLongDate(r.session_date),
    overdue: isOverdue(r, today),
  }
}

export type PresentedReferral = ReturnType<typeof presentReferral>

/** The Orientations page's order: overdue first (the longest overdue first), then by follow-up day, undated last. */
export function byUrgency(a: PresentedReferral, b: PresentedReferral): number {
  if (a.overdue !== b.overdue) return a.overdue ? -1 : 1
  const fa = a.follow_up_on ?? '9999-12-31'
  const fb = b.follow_up_on ?? '9999-12-31'
  return fa < fb ? -1 : fa > fb ? 1 : a.id - b.id
}
