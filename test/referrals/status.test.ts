import { describe, expect, it } from 'vitest'
import { canMove, isOverdue, nextStatuses, STATUS_LABELS } from '../../src/referrals/status.js'
import { byUrgency } from '../../src/referrals/present.js'

describe('referral statuses', () => {
  it('are labelled in French', () => {
    expect(Object.values(STATUS_LABELS)).toEqual(['proposée', 'contact pris', 'en cours', 'aboutie', 'sans suite'])
  })

  it('move forward while open, steps may be skipped', () => {
    expect(canMove('proposed', 'contacted', 'partner')).toBe(true)
    expect(canMove('proposed', 'succeeded', 'partner')).toBe(true)
    expect(canMove('in_progress', 'contacted', 'partner')).toBe(false)
    expect(canMove('contacted', 'proposed', 'facilitator')).toBe(false)
  })

  it('a closed referral is reopened only by the team', () => {
    expect(nextStatuses('succeeded', 'partner')).toEqual([])
    expect(canMove('dropped', 'in_progress', 'partner')).toBe(false)
    expect(canMove('dropped', 'in_progress', 'facilitator')).toBe(true)
    expect(canMove('succeeded', 'dropped', 'facilitator')).toBe(false)
  })

  it('the same status is a note only: open for both, closed for the team', () => {
    expect(canMove('contacted', 'contacted', 'partner')).toBe(true)
    expect(canMove('succeeded', 'succeeded', 'partner')).toBe(false)
    expect(canMove('succeeded', 'succeeded', 'facilitator')).toBe(true)
  })

  it('is overdue once its follow-up day passed with nothing said since', () => {
    const r = { status: 'proposed' as const, follow_up_on: '2026-12-15', updated_at: '2026-11-20T10:00:00.000Z' }
    expect(isOverdue(r, '2026-12-15')).toBe(false)
    expect(isOverdue(r, '2026-12-16')).toBe(true)
    expect(isOverdue({ ...r, updated_at: '2026-12-15T08:00:00.000Z' }, '2026-12-20')).toBe(false)
    expect(isOverdue({ ...r, status: 'succeeded' }, '2026-12-20')).toBe(false)
    expect(isOverdue({ ...r, follow_up_on: null }, '2026-12-20')).toBe(false)
  })

  it('overdue first, then by follow-up day, undated last', () => {
    const mk = (id: number, follow_up_on: string | null, overdue: boolean) => ({ id, follow_up_on, overdue }) as Parameters<typeof byUrgency>[0]
    const sorted = [mk(1, null, false), mk(2, '2027-01-10', false), mk(3, '2026-12-01', true), mk(4, '2026-11-01', true)].sort(byUrgency)
    expect(sorted.map((r) => r.id)).toEqual([4, 3, 2, 1])
  })
})
