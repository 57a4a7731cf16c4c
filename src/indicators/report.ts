import { barChart } from './chart.js'
import type { Indicators } from './compute.js'
import type { Cell } from './csv.js'
import { INDICATOR_KEYS, INDICATOR_LABELS } from './keys.js'
import { type Progress, progressOf } from './progress.js'
import { DOMAINS, STAGES } from '../pitches/forms.js'

// What the page, the JSON and the CSV show of the year's figures: one list of rows, built once.

export interface IndicatorRow { key: string; label: string; achieved: number; progress: Progress | null; targetable: boolean }

const EXTRA: Array<[keyof Indicators, string]> = [
  ['sessionsUpcoming', 'Séances encore à venir'],
  ['hours', 'Heures de table ronde'],
  ['firstTimeHolders', 'Porteurs venus pour la première fois'],
  ['returningHolders', 'Porteurs déjà venus avant la période'],
  ['holderCommunes', "Communes d'où viennent les porteurs"],
  ['partnersInvited', 'Organisations partenaires invitées'],
  ['initiativesStageChanged', "Initiatives qui ont changé de stade"],
]

export function indicatorRows(ind: Indicators): IndicatorRow[] {
  return [
    ...INDICATOR_KEYS.map((k) => ({ key: k, label: INDICATOR_LABELS[k], achieved: ind[k], progress: progressOf(ind[k], ind.targets[k]), targetable: true })),
    ...EXTRA.map(([k, label]) => ({ key: k, label, achieved: ind[k] as number, progress: null, targetable: false })),
  ]
}

/** One row per indicator; the third column is the year ('année'), or the dates of another range ('période'). */
function csvRows(ind: Indicators): Cell[][] {
  const when = ind.year ?? `${ind.from} – ${ind.to}`
  return [
    ['indicateur', 'libellé', ind.year === null ? 'période' : 'année', 'réalisé', 'objectif', 'écart', 'progression'],
    ...indicatorRows(ind).map((r) => [r.key, r.label, when, r.achieved, r.progress?.target ?? null, r.progress?.difference ?? null, r.progress?.words ?? null]),
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

const label = (labels: Record<string, string>, key: string) => (Object.hasOwn(labels, key) ? labels[key]! : key || 'Non renseigné')

/** Each table of the page as CSV (report.csv?table=…); the default, 'indicators', is CONTRACT's one row per indicator. */
export const CSV_TABLES = {
  indicators: csvRows,
  modes: (ind: Indicators) => [['mode', 'séances'], ...Object.entries(MODE_LABELS).map(([k, l]) => [l, ind.sessionsByMode[k as keyof typeof MODE_LABELS]])],
  communes: (ind: Indicators) => [['commune', 'séances tenues'], ...ind.communes.map((c) => [c.name, c.sessions]), ...ind.communesNever.map((c) => [c, 0])],
  holders: (ind: Indicators) => [['type', 'porteurs'], ...Object.entries(KIND_LABELS).map(([k, l]) => [l, ind.holdersByKind[k] ?? 0])],
  partners: (ind: Indicators) => [['organisation', 'invitée', 'présente', 'sur place', 'à distance', 'venue sans invitation'],
    ...ind.partners.map((p) => [p.name, p.invited, p.present, p.onSite, p.remote, p.known ? 'non' : 'oui'])],
  domains: (ind: Indicators) => [['domaine', 'initiatives'], ...Object.entries(ind.initiativesByDomain).map(([k, v]) => [label(DOMAINS, k), v])],
  stages: (ind: Indicators) => [['stade', 'initiatives'], ...Object.entries(ind.initiativesByStage).map(([k, v]) => [label(STAGES, k), v])],
  'stage-changes': (ind: Indicators) => [['stade avant', 'stade après', 'initiatives'], ...ind.stageChanges.map((c) => [label(STAGES, c.from), label(STAGES, c.to), c.initiatives])],
  'holder-communes': (ind: Indicators) => [['commune', 'porteurs'], ...ind.holdersByCommune.map((c) => [c.name || 'Non renseignée', c.holders])],
  referrals: (ind: Indicators) => [['état', 'orientations'], ...Object.entries(STATUS_LABELS).map(([k, l]) => [l, ind.referralsByStatus[k as keyof typeof STATUS_LABELS]])],
  'referral-partners': (ind: Indicators) => [['organisation', 'orientations', 'abouties'], ...ind.referralsByPartner.map((r) => [r.name, r.referrals, r.succeeded])],
} satisfies Record<string, (ind: Indicators) => Cell[][]>

export type CsvTable = keyof typeof CSV_TABLES

/** What each table is called: the workbook's sheet names (at most 31 characters, none of : \\ / ? * [ ]). */
export const TABLE_TITLES: Record<CsvTable, string> = {
  indicators: 'Indicateurs', modes: 'Séances par mode', communes: 'Communes', holders: 'Porteurs par type',
  'holder-communes': 'Communes des porteurs', partners: 'Partenaires', domains: 'Initiatives par domaine',
  stages: 'Initiatives par stade', 'stage-changes': 'Changements de stade', referrals: 'Orientations par état',
  'referral-partners': 'Orientations par organisation',
}
export const isCsvTable = (s: unknown): s is CsvTable => typeof s === 'string' && Object.hasOwn(CSV_TABLES, s)
