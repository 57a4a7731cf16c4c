import { describe, expect, it } from 'vitest'
import { buildMinutes, cleanText, groupAttendance, holderView, type MinutesInput, parseDocument, partnersView, serialise, withholdNames } from '../../src/minutes/document.js'

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

  it('withholds the name of a holder who refused to be named from every free text partners read', () => {
    const doc = buildMinutes({
      ...input, intro: 'Merci à Personne 2 et à Yasmina.',
      pitches: [{ ...pitch(1, true), text: 'Personne 1 ouvre.' }, { ...pitch(2, false), holderName: 'Yasmina Haddouche', text: 'Yasmina a trois bénévoles. Avec HADDOUCHE ? Non : Yasminette reste.', nextSteps: 'Appeler Yasmina Haddouche.' }],
    })
    const view = partnersView(doc)
    expect(view.intro).toBe('Merci à Personne 2 et à la personne porteuse du projet.')
    expect(view.pitches[1]!.text).toBe('La personne porteuse du projet a trois bénévoles. Avec HADDOUCHE ? Non : Yasminette reste.')
    expect(view.pitches[1]!.nextSteps).toBe('Appeler la personne porteuse du projet.')
    expect(view.pitches[0]!.text).toBe('Personne 1 ouvre.') // named: left as written
    // A group's name: the whole name goes, whatever its case; a common word of it used alone stays.
    expect(withholdNames('Le collectif cherche un local.', ['Collectif Les Mamans du 12'])).toBe('Le collectif cherche un local.')
    expect(withholdNames('Merci au collectif les mamans du 12.', ['Collectif Les Mamans du 12'])).toBe('Merci au la personne porteuse du projet.')
    // The holder's own part keeps their name.
    expect(holderView(doc, 2)!.pitches[0]!.text).toContain('Yasmina a trois')
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
