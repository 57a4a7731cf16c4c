import { describe, expect, it } from 'vitest'
import { mergeAttendance, nextStamp, organisationsPresent } from '../../src/record/attendance.js'
import { recordChanged, sameAdvice, sameReferral } from '../../src/record/rules.js'

describe('merging attendance saves', () => {
  const stored = new Map([['c1', { presence: 'on_site' as const, updatedAt: 'T2' }], ['c2', { presence: 'absent' as const, updatedAt: 'T1' }]])
  it('writes new marks and changes to rows nobody touched since the page was loaded', () => {
    const r = mergeAttendance([
      { key: 'c3', presence: 'remote', shown: null, seen: null },
      { key: 'c2', presence: 'on_site', shown: 'absent', seen: 'T1' },
      { key: 'c4', presence: null, shown: null, seen: null },
    ], stored)
    expect(r).toEqual({ writes: [{ key: 'c3', presence: 'remote' }, { key: 'c2', presence: 'on_site' }], conflicts: [] })
  })
  it("keeps a colleague's later mark: silently when this form left it as shown, reported when both changed it", () => {
    expect(mergeAttendance([{ key: 'c1', presence: 'absent', shown: 'absent', seen: 'T1' }], stored)).toEqual({ writes: [], conflicts: [] })
    expect(mergeAttendance([{ key: 'c1', presence: 'remote', shown: null, seen: null }], stored))
      .toEqual({ writes: [], conflicts: [{ key: 'c1', theirs: 'on_site', yours: 'remote' }] })
    expect(mergeAttendance([{ key: 'c1', presence: 'on_site', shown: null, seen: null }], stored)).toEqual({ writes: [], conflicts: [] })
  })
  it('stamps strictly after the previous stamp', () => {
    expect(nextStamp('2026-12-18T10:00:00.000Z', null)).toBe('2026-12-18T10:00:00.000Z')
    expect(nextStamp('2026-12-18T10:00:00.000Z', '2026-12-18T10:00:00.000Z')).toBe('2026-12-18T10:00:00.001Z')
    expect(nextStamp('2026-12-18T10:00:01.000Z', '2026-12-18T10:00:00.000Z')).toBe('2026-12-18T10:00:01.000Z')
  })
  it('counts each organisation once, only when present', () => {
    expect(organisationsPresent([
      { partnerId: 1, presence: 'on_site' }, { partnerId: 1, presence: 'remote' }, { partnerId: 2, presence: 'absent' }, { partnerId: null, presence: 'on_site' }, { partnerId: 3, presence: null },
    ])).toBe(1)
  })
})

describe('saving a pitch record twice', () => {
  const fields = { summary: 'Résumé', next_steps: null, stage_after: 'projet', revisit: 0 as const, revisit_session_id: null }
  it('sees no change in the same record, and a change in any field', () => {
    expect(recordChanged(undefined, { ...fields, summary: null, stage_after: null })).toBe(false)
    expect(recordChanged(undefined, fields)).toBe(true)
    expect(recordChanged(fields, { ...fields })).toBe(false)
    expect(recordChanged(fields, { ...fields, revisit: 1, revisit_session_id: 4 })).toBe(true)
  })
  it('finds the same advice and the same referral again', () => {
    const a = { contactId: 1, partnerId: 2, authorName: null, body: 'Voir la CAF' }
    expect(sameAdvice(a, { ...a, body: ' Voir la CAF ' })).toBe(true)
    expect(sameAdvice(a, { ...a, contactId: null })).toBe(false)
    expect(sameReferral({ partnerId: 2, subject: 'Aide au démarrage' }, { partnerId: 2, subject: 'aide au demarrage' })).toBe(true)
    expect(sameReferral({ partnerId: 2, subject: 'Aide' }, { partnerId: 3, subject: 'Aide' })).toBe(false)
  })
})
