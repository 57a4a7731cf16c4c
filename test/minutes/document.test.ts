import { describe, expect, it } from 'vitest'
import { buildMinutes, cleanText, groupAttendance, holderView, type MinutesInput, parseDocument, partnersView, serialise } from '../../src/minutes/document.js'

const session = { date: '2026-12-18', longDate: 'Vendredi 18 décembre 2026', timeRange: '9 h – 12 h', placeLabel: 'Visioconférence', modeLabel: 'Visio' }
const pitch = (n: number, named: boolean) => ({
  pitchId: n, holderId: 10 + n, title: `Initiative ${n}`, holderName: `Personne ${n}`, named, text: ` Texte ${n}\u202E `,
  advice: [{ author: 'Hélène (CAF)', body: `Conseil ${n}` }, { author: 'Vide', body: '   ' }], referrals: [{ organisation: 'CAF', subject: `Sujet ${n}` }], nextSteps: '',
})
const input: MinutesInput = {
  platformName: 'Plateforme', session, intro: 'Bienvenue.\r\nDeuxième ligne.',
  present: [
    { name: 'Marc', organisation: 'CAF', remote: true }, { name: 'Zoé', organisation: null, remote: false },
    { name: 'Alice', organisation: 'caf', remote: false }, { name: 'Bruno', organisation: 'Département', remote: false },
  ],
  pitches: [pitch(1, true), pitch(2, false), pitch(3, true)],
}

describe('the minutes document (pure)', () => {
  it('groups the people present by organisation, alphabetically, those without one last', () => {
    expect(groupAttendance(input.present)).toEqual([
      { organisation: 'CAF', people: ['Alice', 'Marc (à distance)'] },
      { organisation: 'Département', people: ['Bruno'] },
      { organisation: null, people: ['Zoé'] },
    ])
  })

  it('cleans free text: invisible characters out, line breaks normalised, empty is null', () => {
    expect(cleanText(' a\r\nb\u202E ')).toBe('a\nb')
    expect(cleanText('  ')).toBeNull()
    const doc = buildMinutes(input)
    expect(doc.intro).toBe('Bienvenue.\nDeuxième ligne.')
    expect(doc.pitches[0]!.text).toBe('Texte 1')
    expect(doc.pitches[0]!.nextSteps).toBeNull()
    expect(doc.pitches[0]!.advice).toEqual([{ author: 'Hélène (CAF)', body: 'Conseil 1' }])
  })

  it('gives partners every pitch, a holder who refused to be named under the title only', () => {
    const view = partnersView(buildMinutes(input))
    expect(view.pitches.map((p) => [p.title, p.holderName])).toEqual([['Initiative 1', 'Personne 1'], ['Initiative 2', null], ['Initiative 3', 'Personne 3']])
    expect(view.intro).toBe('Bienvenue.\nDeuxième ligne.')
    expect(JSON.stringify(view)).not.toContain('Personne 2')
  })

  it("gives a holder their own pitch only, without the introduction or the people's names", () => {
    const doc = buildMinutes(input)
    const view = holderView(doc, 2)!
    expect(view.pitches).toHaveLength(1)
    expect(view.pitches[0]).toMatchObject({ title: 'Initiative 2', holderName: 'Personne 2' })
    expect(view.intro).toBeNull()
    expect(view.attendance).toEqual([{ organisation: 'CAF', people: [] }, { organisation: 'Département', people: [] }])
    const text = JSON.stringify(view)
    for (const n of [1, 3]) for (const word of [`Initiative ${n}`, `Personne ${n}`, `Conseil ${n}`, `Sujet ${n}`]) expect(text).not.toContain(word)
    expect(holderView(doc, 99)).toBeNull()
  })

  it('stores and reads back the document unchanged', () => {
    const doc = buildMinutes(input)
    expect(parseDocument(serialise(doc))).toEqual(doc)
  })
})
