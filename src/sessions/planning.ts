import { plannedDates } from '../calendar/recurrence.js'
import { monthNameFr } from '../calendar/zoned.js'
import type { Platform, SessionStatus } from '../db/schema.js'
import { assignByRotation, type HostedSession, type RotationCommune } from '../platforms/rotation.js'
import type { SessionInput } from './store.js'

// Turning the platform's rule into a year of draft sessions.

export interface PlanRequest { year: number; skipMonths: number[]; start: string; end: string }

/** Where every session of a platform that is not itinerant meets (platforms/store.ts homePlace). */
export interface HomePlace { commune_id: number; venue_id: number }

/**
 * Drafts for the year's dates that do not have a session yet (a second run adds nothing), off the public
 * holidays of the platform's country and region; at the platform's own venue when it has one.
 */
export function draftSessions(platform: Platform, request: PlanRequest, existingDates: Set<string>, home: HomePlace | null = null): SessionInput[] {
  return plannedDates({ rrule: platform.rrule, year: request.year, skipMonths: request.skipMonths, country: platform.country, region: platform.region })
    .filter((d) => !existingDates.has(d.date))
    .map((d) => ({
      date: d.date,
      start_time: request.start,
      end_time: request.end,
      commune_id: home?.commune_id ?? null,
      venue_id: home?.venue_id ?? null,
      mode: 'in_person' as const,
      video_url: null,
      status: 'draft' as const,
      notes: null,
      moved_because: d.movedBecause,
    }))
}

/** The months the year planner proposes to skip: the platform's usual ones ("1,8"). */
export function usualSkipMonths(platform: Pick<Platform, 'skip_months'>): string[] {
  return platform.skip_months.split(',').map((m) => m.trim()).filter((m) => /^([1-9]|1[0-2])$/.test(m))
}

/** One date of the year's proposal, as the preview shows it before anything is created. */
export interface PlanRow {
  date: string
  /** The rule's own date, when a holiday moved it (else the same as date). */
  ruleDate: string
  movedBecause: string | null
  /** The session already on that date: the plan leaves it as it is (nothing is duplicated). */
  existing: { status: SessionStatus; communeId: number | null } | null
  /** The commune proposed: the rotation's (itinerant) or the platform's own venue's; null: to be decided. */
  communeId: number | null
}

export interface PlanFacts {
  /** The sessions already in the year (any status). */
  existing: Array<{ date: string; status: SessionStatus; commune_id: number | null }>
  communes: RotationCommune[]
  /** Every session that counts for the rotation (not cancelled), any year. */
  history: HostedSession[]
  home: HomePlace | null
}

/**
 * The year's proposal: the rule's dates off holidays, each with the commune the rotation proposes (the one
 * that has waited longest, as if each session were held in turn), or the platform's own venue's commune;
 * dates that already have a session are kept as they are.
 */
export function proposePlan(platform: Platform, request: PlanRequest, facts: PlanFacts): PlanRow[] {
  const byDate = new Map(facts.existing.map((s) => [s.date, s]))
  const dates = plannedDates({ rrule: platform.rrule, year: request.year, skipMonths: request.skipMonths, country: platform.country, region: platform.region })
  const fresh = dates.filter((d) => !byDate.has(d.date)).map((d) => d.date)
  const rotation = facts.home ? new Map<string, number>() : assignByRotation(facts.communes, facts.history, fresh)
  return dates.map((d) => {
    const existing = byDate.get(d.date)
    return {
      date: d.date, ruleDate: d.ruleDate, movedBecause: d.movedBecause,
      existing: existing ? { status: existing.status, communeId: existing.commune_id } : null,
      communeId: existing ? existing.commune_id : facts.home ? facts.home.commune_id : rotation.get(d.date) ?? null,
    }
  })
}

/** The drafts the confirmed plan creates: the new rows only, each in the commune chosen for it (else proposed). */
export function draftsFromPlan(rows: PlanRow[], request: PlanRequest, chosen: Map<string, number | null>, home: HomePlace | null): SessionInput[] {
  return rows.filter((r) => r.existing === null).map((r) => {
    const communeId = home ? home.commune_id : chosen.has(r.date) ? chosen.get(r.date)! : r.communeId
    return {
      date: r.date, start_time: request.start, end_time: request.end, commune_id: communeId,
      venue_id: home ? home.venue_id : null, mode: 'in_person' as const, video_url: null,
      status: 'draft' as const, notes: null, moved_because: r.movedBecause,
    }
  })
}

/** The months the plan leaves out, by name ("janvier, août"), for the preview's summary. */
export function skippedMonthNames(skipMonths: number[]): string[] {
  return [...skipMonths].sort((a, b) => a - b).map((m) => monthNameFr(m))
}
