import { plannedDates } from '../calendar/recurrence.js'
import type { Platform } from '../db/schema.js'
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
