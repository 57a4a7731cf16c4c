import { barChart } from './chart.js'
import type { Indicators } from './compute.js'
import type { Cell } from './csv.js'
import { INDICATOR_KEYS, INDICATOR_LABELS } from './keys.js'
import { type Progress, progressOf } from './progress.js'

// What the page, the JSON and the CSV show of the year's figures: one list of rows, built once.

export interface IndicatorRow { key: string; label: string; achieved: number; progress: Progress | null; targetable: boolean }

const EXTRA: Array<[keyof Indicators, string]> = [
  ['sessionsUpcoming', 'Séances encore à venir'],
  ['hours', 'Heures de table ronde'],
  ['firstTimeHolders', 'Porteurs venus pour la première fois'],
  ['returningHolders', 'Porteurs déjà venus une année précédente'],
]

export function indicatorRows(ind: Indicators): IndicatorRow[] {
  return [
    ...INDICATOR_KEYS.map((k) => ({ key: k, label: INDICATOR_LABELS[k], achieved: ind[k], progress: progressOf(ind[k], ind.targets[k]), targetable: true })),
    ...EXTRA.map(([k, label]) => ({ key: k, label, achieved: ind[k] as number, progress: null, targetable: false })),
  ]
}

export function csvRows(ind: Indicators): Cell[][] {
  return [
    ['indicateur', 'libellé', 'année', 'réalisé', 'objectif', 'écart', 'progression'],
    ...indicatorRows(ind).map((r) => [r.key, r.label, ind.year, r.achieved, r.progress?.target ?? null, r.progress?.difference ?? null, r.progress?.words ?? null]),
  ]
}

export const MODE_LABELS = { in_person: 'Sur place', videoconference: 'Visio', hybrid: 'Hybride' } as const
export const KIND_LABELS: Record<string, string> = { resident: 'Habitant·e', group: 'Groupe', association: 'Association', other: 'Autre' }
export const STATUS_LABELS = { proposed: 'Proposée', contacted: 'Contact pris', in_progress: 'En cours', succeeded: 'Aboutie', dropped: 'Abandonnée' } as const

/** The charts of the page (SVG markup the app produced itself, so the view prints it with <%~ %>). */
export function charts(ind: Indicators) {
  return {
    communes: barChart('Séances par commune', ind.communes.map((c) => ({ label: c.name, value: c.sessions }))),
    modes: barChart('Séances par mode', Object.entries(MODE_LABELS).map(([k, label]) => ({ label, value: ind.sessionsByMode[k as keyof typeof MODE_LABELS] }))),
  }
}
