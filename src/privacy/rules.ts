import type { Database } from '../db/schema.js'
import { type Replacement, scrub, type Terms } from './scrub.js'
import { type ColumnRule, ERASED_ADDRESS, ERASED_NAME, PERSONAL, rulesOf, type TableRule, textColumns } from './tables.js'
import type { Rows } from './whose.js'

// What a row becomes when its person is erased (pure): the column rules of tables.ts on their own rows, the
// scrubbing of free text on every row. Erasure (erase.ts) only writes what these return.

type Row = Record<string, unknown>

export interface RetiredHash { hash: string; purpose: 'pitch' | 'rsvp' | 'feed' | 'facilitator' }

/** A link column's value after erasure: no token hashes to it (a SHA-256 is 64 hex digits), unique per row. */
export const ERASED_LINK_PREFIX = 'erased:'

export function isErasedLink(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(ERASED_LINK_PREFIX)
}

function ownValue(rule: ColumnRule, value: unknown, fresh: () => string): { value: unknown; retired?: RetiredHash } {
  switch (rule) {
    case 'name': return { value: value === null ? null : ERASED_NAME }
    case 'null': case 'note': return { value: null }
    case 'address': return { value: ERASED_ADDRESS }
    case 'zero': return { value: 0 }
    case 'body': return { value: value === null ? null : '' }
    case 'keep': case 'text': return { value }
    default: {
      // link:*: the current hash is kept aside so the link answers 410; the column no longer matches any token.
      if (isErasedLink(value)) return { value }
      const purpose = rule.slice('link:'.length) as RetiredHash['purpose']
      return { value: `${ERASED_LINK_PREFIX}${fresh()}`, retired: typeof value === 'string' ? { hash: value, purpose } : undefined }
    }
  }
}

/** The changed columns of one of the person's own rows, and the link hashes to retire. */
export function erasedOwnRow(table: keyof Database, row: Row, list: Replacement[], fresh: () => string): { changes: Row; retired: RetiredHash[] } {
  const changes: Row = {}
  const retired: RetiredHash[] = []
  for (const [column, rule] of rulesOf(table)) {
    if (!(column in row)) continue
    const next = rule === 'text' ? { value: scrub(row[column] as string | null, list) } : ownValue(rule, row[column], fresh)
    if (next.retired) retired.push(next.retired)
    if (next.value !== row[column]) changes[column] = next.value
  }
  return { changes, retired }
}

/** The changed free-text columns of a row that mentions the person. */
export function scrubbedRow(table: keyof Database, row: Row, list: Replacement[]): Row {
  const changes: Row = {}
  for (const column of textColumns(table)) {
    if (typeof row[column] !== 'string') continue
    const next = scrub(row[column] as string, list)
    if (next !== row[column]) changes[column] = next
  }
  return changes
}

/** The names, addresses and phones of the person as their own rows hold them. */
export function termsOf(own: Rows, email: string): Terms {
  const names: string[] = []
  const phones: string[] = []
  const push = (target: string[], value: unknown) => { if (typeof value === 'string' && value.trim()) target.push(value) }
  for (const r of own.holder ?? []) { push(names, r.name); push(phones, r.phone) }
  for (const r of own.contact ?? []) { push(names, r.name); push(phones, r.phone) }
  for (const r of own.attendance ?? []) push(names, r.name)
  for (const r of own.venue ?? []) { push(names, r.host_name); push(phones, r.host_phone) }
  for (const r of own.facilitator_token ?? []) push(names, r.name)
  for (const r of own.outbox ?? []) push(names, r.to_name)
  return { names: [...new Set(names)].filter((n) => n !== ERASED_NAME), emails: [email.trim()], phones: [...new Set(phones)] }
}

/** The key of a row, as tables.ts names it. */
export function keyOf(table: keyof Database, row: Row): Row {
  const rule = PERSONAL[table] as TableRule<typeof table>
  return Object.fromEntries(rule.key.map((k) => [k, row[k]]))
}
