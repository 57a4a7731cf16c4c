import { record, rowRefs, type AuditActor } from '../audit/store.js'
import type { Database, Db } from '../db/schema.js'
import { keyOf, scrubbedRow } from './rules.js'
import { rulesOf } from './tables.js'
import { holderAndContactIds, personRows, relatedRows, type Rows } from './whose.js'

// Access (issue #17): everything held about a person on one platform, as one JSON document: their own rows,
// the rows about them (initiatives, advice and referrals they received), the messages sent to them (from the
// outbox) and a reference to every other row that names them in its text. Read and logged in one transaction. Link hashes
// are left out: they open nothing by themselves, and the export is handed to people.

export interface PersonExport {
  platform: string
  email: string
  exportedAt: string
  /** Rows by table: theirs, then about them. */
  tables: Rows
  /** Other rows whose text names them: their key and the columns that do. */
  namedIn: Rows
  /** How many rows of each table. */
  counts: Record<string, number>
}

export interface ExportDeps {
  db: Db
  platform: { id: number; slug: string }
  email: string
  now: Date
  actor: AuditActor
  /** Refuse (null) when the same actor kind exported the same person's rows since this instant ("Mes données"). */
  notSince?: string
}

function withoutSecrets(table: keyof Database, rows: Array<Record<string, unknown>>) {
  const hidden = rulesOf(table).filter(([, r]) => r.startsWith('link:')).map(([c]) => c).concat(['form_nonce_hash', 'password_hash', 'token_hash', 'previous_token_hash'])
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([c]) => !hidden.includes(c))))
}

export async function exportPerson(deps: ExportDeps & { notSince: string }): Promise<PersonExport | null>
export async function exportPerson(deps: ExportDeps): Promise<PersonExport>
export async function exportPerson(deps: ExportDeps): Promise<PersonExport | null> {
  const now = deps.now.toISOString()
  // In the caller's transaction when there is one (the export mailed with its record, self-export.ts).
  const inTransaction = <T>(fn: (trx: Db) => Promise<T>) => (deps.db.isTransaction ? fn(deps.db) : deps.db.transaction().execute(fn))
  return inTransaction(async (trx) => {
    const { own, list, mentions } = await personRows(trx, deps.platform.id, deps.email)
    if (deps.notSince) {
      const subject = rowRefs(holderAndContactIds(own))
      const recent = await trx.selectFrom('audit_event').select('id').where('platform_id', '=', deps.platform.id).where('action', '=', 'person.export')
        .where('actor_kind', '=', deps.actor.kind).where('subject', subject === null ? 'is' : '=', subject).where('created_at', '>=', deps.notSince).executeTakeFirst()
      if (recent) return null
    }
    const related = await relatedRows(trx, own)
    const tables: Rows = {}
    for (const part of [own, related]) {
      for (const [table, rows] of Object.entries(part) as Array<[keyof Database, Array<Record<string, unknown>>]>) {
        const seen = new Set((tables[table] ?? []).map((r) => JSON.stringify(r)))
        const add = withoutSecrets(table, rows).filter((r) => !seen.has(JSON.stringify(r)))
        if (add.length) tables[table] = [...(tables[table] ?? []), ...add]
      }
    }
    // Another row that names them (minutes sent to partners, a note) is someone else's too: it is listed by its
    // key and the columns that name them, not copied.
    const named: Rows = {}
    for (const [table, rows] of Object.entries(mentions) as Array<[keyof Database, Array<Record<string, unknown>>]>) {
      const mine = new Set((tables[table] ?? []).map((r) => JSON.stringify(keyOf(table, r))))
      const others = rows.filter((row) => !mine.has(JSON.stringify(keyOf(table, row))))
      if (others.length) named[table] = others.map((row) => ({ ...keyOf(table, row), names_them_in: Object.keys(scrubbedRow(table, row, list)) }))
    }
    const counts = Object.fromEntries(Object.entries(tables).map(([t, rows]) => [t, rows!.length]))
    await record(trx, { platformId: deps.platform.id, actor: deps.actor, action: 'person.export', rows: holderAndContactIds(own), counts }, now)
    return { platform: deps.platform.slug, email: deps.email, exportedAt: now, tables, namedIn: named, counts }
  })
}
