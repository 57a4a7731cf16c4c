import { describe, expect, it } from 'vitest'
import { assertNoPersonalData, rowRefs } from '../../src/audit/store.js'
import { erasedOwnRow, isErasedLink, scrubbedRow } from '../../src/privacy/rules.js'
import { ERASED_EMAIL, ERASED_PHONE, replacements, scrub } from '../../src/privacy/scrub.js'
import { ERASED_ADDRESS, ERASED_NAME } from '../../src/privacy/tables.js'

const list = replacements({ names: ["Zoé d'Almeida", 'Al'], emails: ['zoe@example.org'], phones: ['06 12 34 56 78'] })

describe('scrubbing free text', () => {
  it('replaces names (plain and as HTML writes them), addresses and phones, in any case; leaves short names', () => {
    expect(scrub("Merci ZOÉ D'ALMEIDA (zoe@example.org, 0612345678) et Al.", list)).toBe(`Merci ${ERASED_NAME} (${ERASED_EMAIL}, ${ERASED_PHONE}) et Al.`)
    expect(scrub('<p>Zoé d&#39;Almeida</p>', list)).toBe(`<p>${ERASED_NAME}</p>`)
    expect(scrub(null, list)).toBeNull()
    expect(scrub('Léa et Léandre', replacements({ names: ['Léa'], emails: [], phones: [] }))).toBe(`${ERASED_NAME} et Léandre`)
    expect(scrub('a.b*c', replacements({ names: ['a.b*c'], emails: [], phones: [] }))).toBe(ERASED_NAME)
  })
})

describe('what an erased row becomes', () => {
  it('applies the column rules of tables.ts and hands back the link hashes to retire', () => {
    const row = { id: 3, name: "Zoé d'Almeida", email: 'zoe@example.org', email_key: 'zoe@example.org', phone: '06 12 34 56 78', role: 'Conseillère', active: 1, pending: 0, feed_token_hash: 'abc', feed_version: 2, partner_id: 1 }
    const { changes, retired } = erasedOwnRow('contact', row, list, () => 'r')
    expect(changes).toEqual({ name: ERASED_NAME, email: ERASED_ADDRESS, email_key: ERASED_ADDRESS, phone: null, role: null, active: 0, feed_token_hash: 'erased:r' })
    expect(retired).toEqual([{ hash: 'abc', purpose: 'feed' }])
    expect(isErasedLink(changes.feed_token_hash)).toBe(true)
    // Once erased, the same row changes no more.
    expect(erasedOwnRow('contact', { ...row, ...changes }, list, () => 'x')).toEqual({ changes: {}, retired: [] })
  })

  it('scrubs only the free text of someone else\'s row', () => {
    expect(scrubbedRow('invitation', { id: 1, comment: 'Avec Zoé d\'Almeida', delegate_name: null, token_hash: 'h' }, list)).toEqual({ comment: `Avec ${ERASED_NAME}` })
  })
})

describe('the audit trail', () => {
  it('names rows by table and id, and refuses anything else', () => {
    expect(rowRefs({ holder: [12, 3, 12], contact: [7] })).toBe('contact:7 holder:3 holder:12')
    expect(rowRefs({ holder: [] })).toBeNull()
    expect(() => assertNoPersonalData({ platformId: 1, actor: { kind: 'operator' }, action: 'zoe@example.org' })).toThrow()
    expect(() => assertNoPersonalData({ platformId: 1, actor: { kind: 'operator' }, action: 'person.export', counts: { 'zoe@example.org': 1 } })).toThrow()
  })
})
