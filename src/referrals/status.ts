import type { ReferralStatus } from '../db/schema.js'

// The life of a referral (orientation), as rules with no database: its statuses and their French labels,
// which change may follow which, and when a follow-up is overdue.

export const REFERRAL_STATUSES = ['proposed', 'contacted', 'in_progress', 'succeeded', 'dropped'] as const satisfies readonly ReferralStatus[]

export const STATUS_LABELS: Record<ReferralStatus, string> = {
  proposed: 'proposée',
  contacted: 'contact pris',
  in_progress: 'en cours',
  succeeded: 'aboutie',
  dropped: 'sans suite',
}

/** Open: still followed (shown on the partner's link and the Orientations page by default). */
export const OPEN_STATUSES: readonly ReferralStatus[] = ['proposed', 'contacted', 'in_progress']

export function isOpen(status: ReferralStatus): boolean {
  return OPEN_STATUSES.includes(status)
}

/**
 * Which status may follow which. Forward while open (a step may be skipped: a partner may answer "aboutie"
 * straight away); a closed referral can be reopened as "en cours" (a partner came back to it) — only the
 * team does that, since a closed referral leaves the partner's page.
 */
const NEXT: Record<ReferralStatus, readonly ReferralStatus[]> = {
  proposed: ['contacted', 'in_progress', 'succeeded', 'dropped'],
  contacted: ['in_progress', 'succeeded', 'dropped'],
  in_progress: ['succeeded', 'dropped'],
  succeeded: ['in_progress'],
  dropped: ['in_progress'],
}

export type ReferralActor = 'facilitator' | 'partner'

/** The statuses `by` may choose from `from` (the same status is a note only, always allowed). */
export function nextStatuses(from: ReferralStatus, by: ReferralActor): ReferralStatus[] {
  if (by === 'partner' && !isOpen(from)) return []
  return [...NEXT[from]]
}

/** May `by` move a referral from `from` to `to`? `to === from` is a note without a change. */
export function canMove(from: ReferralStatus, to: ReferralStatus, by: ReferralActor): boolean {
  if (to === from) return by === 'facilitator' || isOpen(from)
  return nextStatuses(from, by).includes(to)
}

/**
 * Overdue: still open, its follow-up day (YYYY-MM-DD) has passed (`today` in the platform's zone), and
 * nobody said anything since that day came (`updatedAt`, the ISO instant of the last event, is older).
 */
export function isOverdue(r: { status: ReferralStatus; follow_up_on: string | null; updated_at: string }, today: string): boolean {
  return isOpen(r.status) && r.follow_up_on !== null && r.follow_up_on < today && r.updated_at.slice(0, 10) < r.follow_up_on
}
