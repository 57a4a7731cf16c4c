import type { PeriodRows } from './compute.js'

// Initiatives by stage and their stage changes over a period, from the records of the pitches (record/ keeps
// the initiative's stage before the pitch and the stage after it), not from the initiative's current row: a
// later change must not rewrite a past year's report.

type Pitch = Pick<PeriodRows['pitches'][number], 'id' | 'session_id' | 'initiative_id' | 'stage'>
type Session = Pick<PeriodRows['sessions'][number], 'id' | 'date' | 'start_time'>

export interface StageFigures {
  initiativesByStage: Record<string, number>
  stageChanges: Array<{ from: string; to: string; initiatives: number }>
  initiativesStageChanged: number
}

/**
 * `presented`: the pitches presented at the sessions held of the period. An initiative counts once: by its
 * stage when first presented in the period (the first record's "before", else the stage it has), and as a
 * change when the first record's "before" differs from the last record's "after" ('' when not said).
 */
export function stageFigures(presented: Pitch[], held: Session[], records: PeriodRows['records']): StageFigures {
  const when = new Map(held.map((s) => [s.id, `${s.date} ${s.start_time}`]))
  const recordOf = new Map(records.filter((r) => r.stage_after !== null).map((r) => [r.pitch_id, r]))
  const byInitiative = new Map<number, Pitch[]>()
  for (const p of presented) byInitiative.set(p.initiative_id, [...(byInitiative.get(p.initiative_id) ?? []), p])
  const initiativesByStage: Record<string, number> = Object.create(null)
  const changes = new Map<string, { from: string; to: string; initiatives: number }>()
  let changed = 0
  for (const pitches of byInitiative.values()) {
    pitches.sort((a, b) => (when.get(a.session_id)! < when.get(b.session_id)! ? -1 : when.get(a.session_id)! > when.get(b.session_id)! ? 1 : a.id - b.id))
    const recorded = pitches.map((p) => recordOf.get(p.id)).filter((r) => r !== undefined)
    const first = recorded[0]
    const stage = first ? first.stage_before ?? '' : pitches[0]!.stage ?? ''
    initiativesByStage[stage] = (initiativesByStage[stage] ?? 0) + 1
    if (!first) continue
    const to = recorded[recorded.length - 1]!.stage_after!
    if (stage === to) continue
    changed++
    const key = `${stage} ${to}`
    const c = changes.get(key) ?? { from: stage, to, initiatives: 0 }
    c.initiatives++
    changes.set(key, c)
  }
  const stageChanges = [...changes.values()].sort((a, b) => b.initiatives - a.initiatives || a.from.localeCompare(b.from) || a.to.localeCompare(b.to))
  return { initiativesByStage, stageChanges, initiativesStageChanged: changed }
}
