import { addMinutesToTime } from '../calendar/zoned.js'
import type { AgendaItemTable } from '../db/schema.js'

// A session's agenda: items in order, each with a duration; times are computed from the session's start,
// so they follow the session when it moves.

export type AgendaKind = AgendaItemTable['kind']
export interface AgendaTemplateItem { kind: AgendaKind; title: string; duration_minutes: number }
export interface TimedItem<T extends AgendaTemplateItem = AgendaTemplateItem> { item: T; start: string; end: string; slotNumber: number | null }

export const DEFAULT_AGENDA: AgendaTemplateItem[] = [
  { kind: 'welcome', title: 'Accueil et tour de table', duration_minutes: 20 },
  { kind: 'pitch', title: 'Présentation d’une initiative', duration_minutes: 40 },
  { kind: 'pitch', title: 'Présentation d’une initiative', duration_minutes: 40 },
  { kind: 'break', title: 'Pause', duration_minutes: 10 },
  { kind: 'pitch', title: 'Présentation d’une initiative', duration_minutes: 40 },
  { kind: 'exchange', title: 'Temps d’échange', duration_minutes: 30 },
  { kind: 'end', title: 'Fin', duration_minutes: 0 },
]

export function parseAgendaTemplate(json: string): AgendaTemplateItem[] {
  try {
    const items = JSON.parse(json) as AgendaTemplateItem[]
    return Array.isArray(items) && items.length > 0 ? items : DEFAULT_AGENDA
  } catch {
    return DEFAULT_AGENDA
  }
}

/** Start and end of each item from the session's start time; pitch slots are numbered from 1. */
export function timeAgenda<T extends AgendaTemplateItem>(items: T[], sessionStart: string): TimedItem<T>[] {
  let clock = sessionStart
  let slot = 0
  return items.map((item) => {
    const start = clock
    const end = addMinutesToTime(start, item.duration_minutes)
    clock = end
    return { item, start, end, slotNumber: item.kind === 'pitch' ? ++slot : null }
  })
}

