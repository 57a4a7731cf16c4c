import type { Presence } from '../db/schema.js'
import { frCollator } from '../platforms/names.js'

// Pure rules of the attendance screen: who is expected, how two facilitators' saves merge, and what the
// session counts. No database, no clock.

export const PRESENCES = ['on_site', 'remote', 'absent'] as const satisfies readonly Presence[]

export const PRESENCE_LABELS: Record<Presence, string> = { on_site: 'Sur place', remote: 'À distance', absent: 'Absent·e' }

/**
 * One person of the screen, keyed by who they are: 'c12' a partner contact, 'h7' a holder, 'w3' a walk-in
 * (the attendance row's id). The key names the form's fields, so a save carries only the persons it showed.
 */
export interface Person {
  key: string
  name: string
  organisation: string | null
  /** Why they are on the list, in French ("a répondu : sur place", "porteur de projet"…). */
  expected: string
  contactId: number | null
  holderId: number | null
  partnerId: number | null
  /** The saved mark, and when it was saved (the form sends it back to detect a colleague's change). */
  presence: Presence | null
  updatedAt: string | null
  /** Where they sit in the roll's order (rollOrder): see RollPlace. */
  place: RollPlace
}

/**
 * What orders the roll and the sign-in sheet: a holder (by agenda rank) or a partner contact (by
 * organisation, then name), expected on the paper sheet (`sheet`: on site, or every expected person of a
 * videoconference session) or expected elsewhere, or not expected at all (a walk-in, by the order added).
 */
export interface RollPlace {
  kind: 'holder' | 'partner' | 'walkin'
  sheet: boolean
  rank: number
}

/**
 * The one order of the sign-in sheet and of the attendance screen, so that the facilitator copies the signed
 * sheet in one pass: first the sheet's rows (holders in agenda order, then partners by organisation and name),
 * then those expected remotely (same order), then the walk-ins (the sheet's blank rows) in the order added.
 */
export function rollOrder<T extends { name: string; organisation: string | null; key: string; place: RollPlace }>(people: readonly T[]): T[] {
  const section = (p: T) => (p.place.kind === 'walkin' ? 2 : p.place.sheet ? 0 : 1)
  const kind = (p: T) => (p.place.kind === 'holder' ? 0 : 1)
  return [...people].sort((a, b) => section(a) - section(b) || kind(a) - kind(b)
    || (a.place.kind === 'partner' ? frCollator.compare(a.organisation ?? '', b.organisation ?? '') || frCollator.compare(a.name, b.name) : 0)
    || a.place.rank - b.place.rank || frCollator.compare(a.name, b.name) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/** The sign-in sheet's named rows: the expected people who sign on paper, in the roll's order. */
export function sheetRows<T extends { name: string; organisation: string | null; key: string; place: RollPlace }>(people: readonly T[]): T[] {
  return rollOrder(people).filter((p) => p.place.kind !== 'walkin' && p.place.sheet)
}

/** What the form sent for one person: the mark, the mark it showed, and the saved instant it showed. */
export interface Submitted {
  key: string
  presence: Presence | null
  shown: Presence | null
  seen: string | null
}

export interface Stored { presence: Presence; updatedAt: string }

export interface Conflict { key: string; theirs: Presence; yours: Presence }

export interface MergeResult { writes: Array<{ key: string; presence: Presence }>; conflicts: Conflict[] }

/**
 * Merges one save into what is stored now, person by person. A mark left empty writes nothing. A mark a
 * colleague saved after this form was loaded wins when this form did not change it; when both changed it
 * to different marks, the colleague's stays and the difference is reported, never silently overwritten.
 */
export function mergeAttendance(submitted: Submitted[], stored: Map<string, Stored>): MergeResult {
  const writes: MergeResult['writes'] = []
  const conflicts: Conflict[] = []
  for (const s of submitted) {
    if (s.presence === null) continue
    const now = stored.get(s.key)
    if (!now) { writes.push({ key: s.key, presence: s.presence }); continue }
    if (now.presence === s.presence) continue
    const changedSinceLoad = now.updatedAt !== s.seen
    if (!changedSinceLoad) writes.push({ key: s.key, presence: s.presence })
    else if (s.presence !== s.shown) conflicts.push({ key: s.key, theirs: now.presence, yours: s.presence })
  }
  return { writes, conflicts }
}

/**
 * The instant a row is stamped with: strictly after its previous stamp, so that two saves within the same
 * millisecond (or under a test's fixed clock) still tell a colleague's change from what they loaded.
 */
export function nextStamp(now: string, previous: string | null): string {
  if (previous === null || now > previous) return now
  return new Date(Date.parse(previous) + 1).toISOString()
}

/** Partners' organisations present (on site or remotely), each counted once however many colleagues came. */
export function organisationsPresent(rows: Array<{ partnerId: number | null; presence: Presence | null }>): number {
  return new Set(rows.filter((r) => r.partnerId !== null && (r.presence === 'on_site' || r.presence === 'remote')).map((r) => r.partnerId)).size
}

/** People present (on site or remotely). */
export function peoplePresent(rows: Array<{ presence: Presence | null }>): number {
  return rows.filter((r) => r.presence === 'on_site' || r.presence === 'remote').length
}
