import { describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { draftSessions, draftsFromPlan, proposePlan, skippedMonthNames, usualSkipMonths } from '../../src/sessions/planning.js'

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

describe('proposePlan', () => {
  const communes = [{ id: 1, name: 'Liévin' }, { id: 2, name: 'Avion' }, { id: 3, name: 'Harnes' }]
  const year = { year: 2026, skipMonths: [1, 2, 3, 4, 5, 6, 7, 8, 9], start: '09:00', end: '12:00' }

  it('gives each new date the rotation’s commune, moves Christmas and says why', () => {
    // Avion hosted last in 2025: the two that never hosted come first (French name order), then Avion.
    const rows = proposePlan(platform, year, { existing: [], communes, history: [{ communeId: 2, date: '2025-11-28' }], home: null })
    expect(rows.map((r) => [r.date, r.communeId, r.existing])).toEqual([['2026-10-30', 3, null], ['2026-11-27', 1, null], ['2026-12-18', 2, null]])
    expect(rows[2]).toMatchObject({ ruleDate: '2026-12-25', movedBecause: expect.stringMatching(/Noël/) })
  })

  it('leaves a date that already has a session as it is, and counts it in the rotation', () => {
    const existing = [{ date: '2026-10-30', status: 'published' as const, commune_id: 1 }]
    const rows = proposePlan(platform, year, { existing, communes, history: [{ communeId: 1, date: '2026-10-30' }], home: null })
    expect(rows[0]).toMatchObject({ date: '2026-10-30', existing: { status: 'published', communeId: 1 }, communeId: 1 })
    expect(rows.slice(1).map((r) => r.communeId)).toEqual([2, 3])
    const drafts = draftsFromPlan(rows, year, new Map(), null)
    expect(drafts.map((d) => d.date)).toEqual(['2026-11-27', '2026-12-18'])
  })

  it('keeps the commune the facilitator chose for a row, and "to be decided" when they emptied it', () => {
    const rows = proposePlan(platform, year, { existing: [], communes, history: [], home: null })
    const drafts = draftsFromPlan(rows, year, new Map([['2026-10-30', 1], ['2026-11-27', null]]), null)
    expect(rows.map((r) => r.communeId)).toEqual([2, 3, 1]) // proposed: Avion, Harnes, Liévin
    expect(drafts.map((d) => [d.date, d.commune_id, d.venue_id])).toEqual([['2026-10-30', 1, null], ['2026-11-27', null, null], ['2026-12-18', 1, null]])
    expect(drafts[2]!.moved_because).toMatch(/Noël/)
  })

  it('puts every date of a fixed-venue platform at its venue, whatever was chosen', () => {
    const home = { commune_id: 3, venue_id: 9 }
    const rows = proposePlan(platform, year, { existing: [], communes, history: [], home })
    expect(rows.every((r) => r.communeId === 3)).toBe(true)
    expect(draftsFromPlan(rows, year, new Map([['2026-10-30', 1]]), home).every((d) => d.commune_id === 3 && d.venue_id === 9)).toBe(true)
  })

  it('names the skipped months in order', () => {
    expect(skippedMonthNames([8, 1])).toEqual(['janvier', 'août'])
  })
})
