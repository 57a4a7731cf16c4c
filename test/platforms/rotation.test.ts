import { describe, expect, it } from 'vitest'
import { assignByRotation, rotationOrder, yearCoverage } from '../../src/platforms/rotation.js'

// The itinerant rotation, pure: the commune that has waited longest hosts next.

const communes = [{ id: 1, name: 'Liévin' }, { id: 2, name: 'Avion' }, { id: 3, name: 'Éleu-dit-Leauwette' }, { id: 4, name: 'Harnes' }]

describe('rotationOrder', () => {
  it('puts communes that never hosted first (by French name order), then the longest wait', () => {
    const order = rotationOrder(communes, [
      { communeId: 1, date: '2026-01-30' }, { communeId: 4, date: '2026-03-27' }, { communeId: 1, date: '2026-05-29' },
    ], '2026-06-01')
    expect(order.map((e) => e.commune.name)).toEqual(['Avion', 'Éleu-dit-Leauwette', 'Harnes', 'Liévin'])
    expect(order.find((e) => e.commune.id === 1)).toMatchObject({ lastHosted: '2026-05-29', hostedPastYear: 2 })
    expect(order[0]).toMatchObject({ lastHosted: null, hostedPastYear: 0 })
  })

  it('ignores sessions after the reference date and counts only the last 12 months', () => {
    const order = rotationOrder(communes, [
      { communeId: 2, date: '2024-11-29' }, { communeId: 2, date: '2025-09-26' }, { communeId: 3, date: '2026-12-18' }, { communeId: null, date: '2026-02-27' },
    ], '2026-06-01')
    expect(order.find((e) => e.commune.id === 2)).toMatchObject({ lastHosted: '2025-09-26', hostedPastYear: 1 })
    expect(order.find((e) => e.commune.id === 3)).toMatchObject({ lastHosted: null, hostedPastYear: 0 })
  })
})

describe('assignByRotation', () => {
  it('gives each date the head of the rotation as if each were held in turn, whatever order the dates come in', () => {
    const assigned = assignByRotation(communes, [{ communeId: 2, date: '2026-01-30' }], ['2026-04-24', '2026-02-27', '2026-03-27', '2026-05-29', '2026-06-26'])
    expect([...assigned.entries()]).toEqual([
      ['2026-02-27', 3], ['2026-03-27', 4], ['2026-04-24', 1], ['2026-05-29', 2], ['2026-06-26', 3],
    ])
  })

  it('assigns nothing without communes', () => {
    expect(assignByRotation([], [], ['2026-02-27']).size).toBe(0)
  })
})

describe('yearCoverage', () => {
  it('tells the communes hosting a session that year from those not yet', () => {
    const coverage = yearCoverage(communes, [{ communeId: 1, date: '2026-02-27' }, { communeId: 4, date: '2025-12-19' }, { communeId: null, date: '2026-03-27' }], 2026)
    expect(coverage.hosted.map((c) => c.id)).toEqual([1])
    expect(coverage.notYet.map((c) => c.id)).toEqual([2, 3, 4])
  })
})

describe('the session being edited', () => {
  it('flags its own commune as hosting it, never as one that has not hosted', () => {
    // Harnes hosts the edited session (its date left out of the history): it has never hosted before.
    const order = rotationOrder(communes, [{ communeId: 1, date: '2026-01-30' }], '2026-03-27', 4)
    expect(order.find((e) => e.commune.id === 4)).toMatchObject({ hostsThisSession: true, lastHosted: null })
    expect(order.filter((e) => e.hostsThisSession).map((e) => e.commune.id)).toEqual([4])
    expect(rotationOrder(communes, [], '2026-03-27').some((e) => e.hostsThisSession)).toBe(false)
  })
})
