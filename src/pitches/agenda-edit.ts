import { z } from 'zod'
import { formatTime, formatTimeRange } from '../calendar/zoned.js'
import type { AgendaKind, AgendaTemplateItem } from '../sessions/agenda.js'
import { type FieldErrors, line } from '../web/forms.js'

// The facilitator's programme of one session: the agenda as edited in the form (validated and put in
// order), and which held pitch takes which pitch slot. Pure: no database, no clock.

export const AGENDA_KINDS: Record<AgendaKind, string> = {
  welcome: 'Accueil', pitch: 'Présentation', break: 'Pause', exchange: 'Échange', end: 'Fin', other: 'Autre',
}

export const MAX_AGENDA_ROWS = 40
const MAX_DURATION = 480

/** One row of the agenda form, as typed (strings), in the order of the form. */
export interface AgendaRow { kind: string; title: string; duration: string; position: string; remove: boolean }

export interface AgendaLimits {
  /** The session's wall-clock start and end, 'HH:MM'. */
  start: string
  end: string
  /** Pitches holding a slot (pending or confirmed): the agenda may not offer fewer pitch slots. */
  held: number
}

export type AgendaEdit = { ok: true; items: AgendaTemplateItem[] } | { ok: false; errors: FieldErrors }

/** The extra empty row at the bottom of the form, or left empty by the facilitator: not an agenda item. */
export function isBlank(row: AgendaRow): boolean {
  return row.title.trim() === '' && row.duration.trim() === ''
}

export function rowsOf(items: AgendaTemplateItem[]): AgendaRow[] {
  return items.map((item, i) => ({ kind: item.kind, title: item.title, duration: String(item.duration_minutes), position: String(i + 1), remove: false }))
}

export function withBlankRow(rows: AgendaRow[]): AgendaRow[] {
  const next = rows.filter((r) => !r.remove && !isBlank(r)).length + 1
  return [...rows.filter((r) => !isBlank(r)), { kind: 'other', title: '', duration: '', position: String(next), remove: false }]
}

const rowSchema = z.object({
  kind: z.enum(Object.keys(AGENDA_KINDS) as [AgendaKind, ...AgendaKind[]], { error: 'Choisissez un type de ligne.' }),
  title: line(150),
  duration: z.string().trim().regex(/^\d{1,3}$/, `Durée en minutes : un nombre entier entre 0 et ${MAX_DURATION}.`).transform(Number)
    .refine((n) => n <= MAX_DURATION, `Durée en minutes : un nombre entier entre 0 et ${MAX_DURATION}.`),
  position: z.string().trim().regex(/^(\d{1,2})?$/, 'Position : un nombre entier entre 1 et 99.').transform((s) => (s === '' ? null : Number(s))),
})

/** Indexes of the rows that stay, in agenda order: by the position typed, then by the order of the form. */
function kept(rows: AgendaRow[]): number[] {
  const rank = (i: number) => {
    const p = Number(rows[i]!.position.trim())
    return rows[i]!.position.trim() !== '' && Number.isInteger(p) ? p : i + 1
  }
  return rows.map((_, i) => i).filter((i) => !rows[i]!.remove && !isBlank(rows[i]!)).sort((a, b) => rank(a) - rank(b) || a - b)
}

const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5))
const toTime = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`

/**
 * Validates the rows typed by the facilitator; errors are keyed by the row's index in the form
 * (`title-2`) or `agenda` for the whole. An agenda must have a row, end by the session's end, and keep a
 * slot for every pitch already holding one (taking slots from people who were told they have one is a
 * decision made pitch by pitch, on the pitches page).
 */
export function editAgenda(rows: AgendaRow[], limits: AgendaLimits): AgendaEdit {
  const errors: FieldErrors = {}
  if (rows.length > MAX_AGENDA_ROWS) return { ok: false, errors: { agenda: `${MAX_AGENDA_ROWS} lignes au plus.` } }
  const items: Array<AgendaTemplateItem | null> = rows.map((row, i) => {
    if (row.remove || isBlank(row)) return null
    const parsed = rowSchema.safeParse(row)
    if (parsed.success) return { kind: parsed.data.kind, title: parsed.data.title, duration_minutes: parsed.data.duration }
    for (const issue of parsed.error.issues) errors[`${String(issue.path[0])}-${i}`] ??= issue.message
    return null
  })
  if (Object.keys(errors).length) return { ok: false, errors }
  const order = kept(rows)
  const agenda = order.map((i) => items[i]!)
  if (agenda.length === 0) return { ok: false, errors: { agenda: 'Le déroulé doit comporter au moins une ligne.' } }
  const ends = toMinutes(limits.start) + agenda.reduce((n, item) => n + item.duration_minutes, 0)
  if (ends > toMinutes(limits.end)) {
    const at = ends < 24 * 60 ? `à ${formatTime(toTime(ends))}` : 'après minuit'
    errors.agenda = `Ce déroulé se termine ${at}, après la fin de la séance (${formatTime(limits.end)}). Raccourcissez des lignes, ou changez d'abord l'horaire de la séance.`
  }
  const slots = agenda.filter((item) => item.kind === 'pitch').length
  if (slots < limits.held) {
    errors.slots = `Ce déroulé prévoit ${slots} créneau(x) de présentation, mais ${limits.held} présentation(s) occupent déjà un créneau (confirmées ou en attente de validation). `
      + 'Libérez d’abord des créneaux depuis la page des présentations (liste d’attente, refus ou autre séance).'
  }
  if (Object.keys(errors).length) return { ok: false, errors }
  return { ok: true, items: agenda }
}

/**
 * "9 h 20 – 10 h" beside each row of the form, in agenda order, for the rows that can be timed (a row
 * with a bad duration, a removed or an empty row has none); times past midnight are not shown.
 */
export function previewTimes(rows: AgendaRow[], start: string): Array<string | null> {
  const times: Array<string | null> = rows.map(() => null)
  let clock = toMinutes(start)
  for (const i of kept(rows)) {
    const d = rows[i]!.duration.trim()
    if (!/^\d{1,3}$/.test(d)) continue
    const end = clock + Number(d)
    if (end >= 24 * 60) break
    times[i] = formatTimeRange(toTime(clock), toTime(end))
    clock = end
  }
  return times
}

/** Held pitches in slot order: the n-th held pitch (by position, then id) takes the n-th pitch slot. */
export function slotOrder<T extends { id: number; position: number }>(held: T[]): T[] {
  return [...held].sort((a, b) => a.position - b.position || a.id - b.id)
}

export interface Positioned { id: number; position: number; held: boolean }

/**
 * Moves one held pitch up or down among held pitches (pitches that do not hold a slot keep their place
 * in between). Returns the new position of every pitch whose position changes, or null when it cannot
 * move (first or last, or not holding a slot). Positions are renumbered 1…n so that equal positions
 * left by older data cannot make a swap a no-op.
 */
export function reorderedPositions(pitches: Positioned[], id: number, direction: 'up' | 'down'): Array<{ id: number; position: number }> | null {
  const all = slotOrder(pitches)
  const held = all.filter((p) => p.held)
  const k = held.findIndex((p) => p.id === id)
  const other = k < 0 ? undefined : held[direction === 'up' ? k - 1 : k + 1]
  if (!other) return null
  const a = all.findIndex((p) => p.id === id)
  const b = all.findIndex((p) => p.id === other.id)
  ;[all[a], all[b]] = [all[b]!, all[a]!]
  return all.map((p, i) => ({ id: p.id, position: i + 1 })).filter((p) => p.position !== pitches.find((q) => q.id === p.id)!.position)
}
