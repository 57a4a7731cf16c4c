import type { Indicators } from './compute.js'
import type { Cell } from './csv.js'
import { INDICATOR_KEYS, INDICATOR_LABELS } from './keys.js'
import { indicatorRows, KIND_LABELS, MODE_LABELS } from './report.js'

// The network view (instance administrators): every platform's figures of one period side by side, and their
// sum — the Avise network's yearly figures. Pure: each platform's Indicators are computed as for its own Bilan.

export interface NetworkRow { key: string; label: string; values: number[]; total: number }

/** The rows of the network table: the Bilan's indicators, then sessions by mode and holders by kind. */
export function networkRows(platforms: Indicators[]): NetworkRow[] {
  const row = (key: string, label: string, value: (ind: Indicators) => number): NetworkRow => {
    const values = platforms.map(value)
    // Hours may be fractional: the sum is rounded as each platform's figure is.
    return { key, label, values, total: Math.round(values.reduce((a, b) => a + b, 0) * 100) / 100 }
  }
  const labels = platforms.length ? indicatorRows(platforms[0]!) : INDICATOR_KEYS.map((k) => ({ key: k, label: INDICATOR_LABELS[k] }))
  return [
    ...labels.map((r) => row(r.key, r.label, (ind) => ind[r.key as keyof Indicators] as number)),
    ...Object.entries(MODE_LABELS).map(([k, l]) => row(`sessionsByMode.${k}`, `Séances tenues : ${l.toLowerCase()}`, (ind) => ind.sessionsByMode[k as keyof typeof MODE_LABELS])),
    ...Object.entries(KIND_LABELS).map(([k, l]) => row(`holdersByKind.${k}`, `Porteurs : ${l.toLowerCase()}`, (ind) => ind.holdersByKind[k] ?? 0)),
  ]
}

/** The network table as CSV rows: one row per indicator, one column per platform, then the network's total. */
export function networkCsv(names: string[], rows: NetworkRow[], when: string | number, median: MedianRow): Cell[][] {
  return [
    ['indicateur', 'libellé', typeof when === 'number' ? 'année' : 'période', ...names, 'réseau'],
    ...rows.map((r) => [r.key, r.label, when, ...r.values, r.total]),
    ['medianDaysToSucceeded', MEDIAN_LABEL, when, ...median.values, median.total],
  ]
}

/** The median days from a referral to "aboutie": per platform, and over all the network's referrals (not a sum). */
export interface MedianRow { values: Array<number | null>; total: number | null }
export const MEDIAN_LABEL = "Jours jusqu'à une orientation aboutie (médiane)"
