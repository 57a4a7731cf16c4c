import { describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { draftSessions, usualSkipMonths } from '../../src/sessions/planning.js'

// Pure: the year's drafts from the platform's rule (last Friday of the month, French holidays).
const platform = { rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', country: 'FR', region: null, skip_months: '1,8' } as unknown as Platform
const request = { year: 2026, skipMonths: [8], start: '09:00', end: '12:00' }

describe('draftSessions', () => {
  it('drafts one session a month, but the skipped ones, at the requested times, with no place', () => {
    const drafts = draftSessions(platform, request, new Set())
    expect(drafts).toHaveLength(11)
    expect(drafts.map((d) => d.date.slice(0, 7))).not.toContain('2026-08')
    expect(drafts[0]).toEqual({
      date: '2026-01-30', start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null,
      mode: 'in_person', video_url: null, status: 'draft', notes: null, moved_because: null,
    })
  })

  it('moves a date off a public holiday and says why', () => {
    const december = draftSessions(platform, request, new Set()).find((d) => d.moved_because !== null)!
    expect(december.date).not.toBe('2026-12-25')
    expect(december.moved_because).toMatch(/Noël/)
  })

  it('adds nothing for a date that already has a session (a second run adds nothing)', () => {
    const first = draftSessions(platform, request, new Set())
    expect(draftSessions(platform, request, new Set(first.map((d) => d.date)))).toEqual([])
    expect(draftSessions(platform, request, new Set(['2026-01-30'])).map((d) => d.date)).not.toContain('2026-01-30')
  })

  it('puts every draft at the platform’s own venue when it has one', () => {
    const drafts = draftSessions(platform, request, new Set(), { commune_id: 4, venue_id: 9 })
    expect(drafts.every((d) => d.commune_id === 4 && d.venue_id === 9)).toBe(true)
  })
})

describe('usualSkipMonths', () => {
  it('reads the platform’s usual months, dropping what is not a month', () => {
    expect(usualSkipMonths({ skip_months: '1,8' })).toEqual(['1', '8'])
    expect(usualSkipMonths({ skip_months: ' 12 , 0, 13, x,' })).toEqual(['12'])
    expect(usualSkipMonths({ skip_months: '' })).toEqual([])
  })
})
