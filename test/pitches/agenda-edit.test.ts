import { describe, expect, it } from 'vitest'
import { type AgendaRow, editAgenda, previewTimes, reorderedPositions, rowsOf, withBlankRow } from '../../src/pitches/agenda-edit.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'

const row = (kind: string, title: string, duration: string, position = '', remove = false): AgendaRow => ({ kind, title, duration, position, remove })
const limits = { start: '09:00', end: '12:00', held: 0 }

describe('editing an agenda', () => {
  it('keeps the rows in the order of their positions, drops blank and removed rows', () => {
    const rows = [row('welcome', 'Accueil', '20', '1'), row('end', 'Fin', '0', '9'), row('pitch', 'Présentation', '50', '2'), row('break', 'Pause', '10', '3', true), row('other', '', '')]
    const edit = editAgenda(rows, limits)
    expect(edit).toEqual({ ok: true, items: [
      { kind: 'welcome', title: 'Accueil', duration_minutes: 20 },
      { kind: 'pitch', title: 'Présentation', duration_minutes: 50 },
      { kind: 'end', title: 'Fin', duration_minutes: 0 },
    ] })
  })

  it('keeps the order of the form when positions are left empty or equal', () => {
    const edit = editAgenda([row('other', 'B', '10', '1'), row('other', 'A', '10', '1'), row('other', 'C', '10')], limits)
    expect(edit.ok && edit.items.map((i) => i.title)).toEqual(['B', 'A', 'C'])
  })

  it('reports bad rows by their index in the form, in French', () => {
    const edit = editAgenda([row('pitch', '', '40'), row('nope', 'X', 'abc'), row('pitch', 'Y', '500', 'x')], limits)
    expect(edit.ok).toBe(false)
    if (edit.ok) return
    expect(edit.errors['title-0']).toBe('Ce champ est obligatoire.')
    expect(edit.errors['kind-1']).toBe('Choisissez un type de ligne.')
    expect(edit.errors['duration-1']).toContain('nombre entier')
    expect(edit.errors['duration-2']).toContain('entre 0 et 480')
    expect(edit.errors['position-2']).toContain('Position')
  })

  it('refuses an empty agenda, one that ends after the session, and fewer slots than held pitches', () => {
    expect(editAgenda([row('other', '', '')], limits)).toEqual({ ok: false, errors: { agenda: 'Le déroulé doit comporter au moins une ligne.' } })
    const long = editAgenda([row('welcome', 'Accueil', '30'), row('pitch', 'P', '160')], limits)
    expect(!long.ok && long.errors.agenda).toContain('se termine à 12 h 10, après la fin de la séance (12 h)')
    expect(editAgenda([row('pitch', 'P', '180')], limits).ok).toBe(true)
    const few = editAgenda([row('pitch', 'P', '60'), row('pitch', 'P', '60')], { ...limits, held: 3 })
    expect(!few.ok && few.errors.slots).toContain('prévoit 2 créneau(x) de présentation, mais 3 présentation(s)')
    const pastMidnight = editAgenda([row('pitch', 'P', '480'), row('pitch', 'P', '480'), row('pitch', 'P', '480'), row('pitch', 'P', '480')], limits)
    expect(!pastMidnight.ok && pastMidnight.errors.agenda).toContain('après minuit')
  })

  it('shows the times beside each row in agenda order, and none for rows it cannot time', () => {
    const rows = [row('pitch', 'Deuxième', '40', '2'), row('welcome', 'Accueil', '20', '1'), row('other', 'Cassée', 'x', '3'), row('other', '', '')]
    expect(previewTimes(rows, '09:00')).toEqual(['9 h 20 – 10 h', '9 h – 9 h 20', null, null])
  })

  it('round-trips stored items and adds one empty row for a new line', () => {
    const rows = withBlankRow(rowsOf(DEFAULT_AGENDA))
    expect(rows).toHaveLength(DEFAULT_AGENDA.length + 1)
    expect(rows.at(-1)).toEqual({ kind: 'other', title: '', duration: '', position: String(DEFAULT_AGENDA.length + 1), remove: false })
    expect(withBlankRow(rows)).toHaveLength(rows.length)
    const edit = editAgenda(rows, limits)
    expect(edit.ok && edit.items).toEqual(DEFAULT_AGENDA)
  })
})

describe('reordering held pitches', () => {
  const pitches = [
    { id: 1, position: 1, held: true },
    { id: 2, position: 2, held: false },
    { id: 3, position: 3, held: true },
    { id: 4, position: 4, held: true },
  ]

  it('swaps with the neighbouring held pitch, skipping those that hold no slot', () => {
    expect(reorderedPositions(pitches, 3, 'up')).toEqual([{ id: 3, position: 1 }, { id: 1, position: 3 }])
    expect(reorderedPositions(pitches, 3, 'down')).toEqual([{ id: 4, position: 3 }, { id: 3, position: 4 }])
  })

  it('cannot move the first up, the last down, or a pitch without a slot', () => {
    expect(reorderedPositions(pitches, 1, 'up')).toBeNull()
    expect(reorderedPositions(pitches, 4, 'down')).toBeNull()
    expect(reorderedPositions(pitches, 2, 'down')).toBeNull()
  })

  it('renumbers equal positions so that a swap always moves', () => {
    const changes = reorderedPositions([{ id: 1, position: 5, held: true }, { id: 2, position: 5, held: true }], 2, 'up')
    expect(changes).toEqual([{ id: 2, position: 1 }, { id: 1, position: 2 }])
  })
})
