import { plannedDates } from '../calendar/recurrence.js'
import type { Platform } from '../db/schema.js'
import type { SessionInput } from './store.js'

// Turning the platform's rule into a year of draft sessions.

export interface PlanRequest { year: number; skipMonths: number[]; start: string; end: string }

/** Drafts for the year's dates that do not have a session yet (a second run adds nothing). */
export function draftSessions(platform: Platform, request: PlanRequest, existingDates: Set<string>): SessionInput[] {
  return plannedDates({ rrule: platform.rrule, year: request.year, skipMonths: request.skipMonths, country: platform.country })
    .filter((d) => !existingDates.has(d.date))
    .map((d) => ({
      date: d.date,
      start_time: request.start,
      end_time: request.end,
      commune_id: null,
      venue_id: null,
      mode: 'in_person' as const,
      video_url: null,
      status: 'draft' as const,
      notes: null,
      moved_because: d.movedBecause,
    }))
}
