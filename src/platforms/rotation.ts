import { addDays } from '../calendar/zoned.js'
import { frCollator } from './names.js'

// Itinerant rotation: the commune that has waited longest hosts next.

export interface RotationCommune { id: number; name: string }
export interface HostedSession { communeId: number | null; date: string }

export interface RotationEntry {
  commune: RotationCommune
  lastHosted: string | null
  /** Sessions hosted in the 12 months before the reference date. */
  hostedPastYear: number
  /** The commune of the session being edited: it hosts that session, whatever it hosted before. */
  hostsThisSession: boolean
}

/**
 * Communes ordered by the longest time since they last hosted (never first), then by name. `currentCommuneId`
 * is the commune of the session being edited (its own date left out of `sessions`): flagged, never shown as a
 * commune that has not hosted.
 */
export function rotationOrder(communes: RotationCommune[], sessions: HostedSession[], referenceDate: string, currentCommuneId: number | null = null): RotationEntry[] {
  const yearAgo = addDays(referenceDate, -365)
  const last = new Map<number, string>()
  const count = new Map<number, number>()
  for (const s of sessions) {
    if (s.communeId === null || s.date > referenceDate) continue
    if ((last.get(s.communeId) ?? '') < s.date) last.set(s.communeId, s.date)
    if (s.date > yearAgo) count.set(s.communeId, (count.get(s.communeId) ?? 0) + 1)
  }
  return communes
    .map((commune) => ({ commune, lastHosted: last.get(commune.id) ?? null, hostedPastYear: count.get(commune.id) ?? 0, hostsThisSession: commune.id === currentCommuneId }))
    .sort((a, b) =>
      a.lastHosted === b.lastHosted ? frCollator.compare(a.commune.name, b.commune.name)
        : a.lastHosted === null ? -1 : b.lastHosted === null ? 1 : a.lastHosted.localeCompare(b.lastHosted))
}

/** Gives each date (ascending) the commune at the head of the rotation, as if each were held in turn. */
export function assignByRotation(communes: RotationCommune[], sessions: HostedSession[], dates: string[]): Map<string, number> {
  const history = [...sessions]
  const result = new Map<string, number>()
  for (const date of [...dates].sort()) {
    const head = rotationOrder(communes, history, date)[0]
    if (!head) break
    result.set(date, head.commune.id)
    history.push({ communeId: head.commune.id, date })
  }
  return result
}

export interface Coverage { year: number; hosted: RotationCommune[]; notYet: RotationCommune[] }

/** The year's coverage at a glance: which communes host a session that year, which do not yet. */
export function yearCoverage(communes: RotationCommune[], sessions: HostedSession[], year: number): Coverage {
  const inYear = new Set(sessions.filter((s) => s.date.startsWith(`${year}-`) && s.communeId !== null).map((s) => s.communeId))
  return {
    year,
    hosted: communes.filter((c) => inYear.has(c.id)),
    notYet: communes.filter((c) => !inYear.has(c.id)),
  }
}
