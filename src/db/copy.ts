import { sql } from 'kysely'
import type { Database, Db } from './schema.js'

// Moves a whole Fabrik database (every platform's history) from the embedded SQLite file to PostgreSQL,
// keeping ids, so that links in emails already sent keep working. The target must be migrated and empty.

/** Parents before children, so foreign keys hold at every insert. */
export const COPY_ORDER: Array<keyof Database> = [
  'platform', 'facilitator', 'facilitator_platform', 'login', 'rate_limit', 'commune', 'venue', 'session', 'agenda_item',
  'holder', 'initiative', 'initiative_holder', 'pitch', 'partner', 'contact', 'invitation', 'advice', 'outbox',
  // Earlier links keep answering 410 and moved sessions' old URLs keep redirecting after the move.
  'retired_link', 'session_alias', 'facilitator_token',
  'facilitator_totp', 'facilitator_recovery_code',
  'attendance', 'pitch_record', 'referral', 'referral_event',
  'minutes_draft', 'minutes_pitch_text', 'minutes_version',
  'calendar_reply', 'calendar_reply_state',
  'target',
  'audit_event',
  'retention_run',
]

/** Not copied: raised by the target's own triggers as the rows arrive. */
export const NOT_COPIED: Array<keyof Database> = ['content_version']

/** Self-references are filled in a second pass, once every row of the table exists. */
const SELF_REFERENCES: Partial<Record<keyof Database, string>> = { initiative: 'merged_into_id', invitation: 'delegated_from_id' }

const CHUNK = 500

export interface CopyReport { table: string; source: number; target: number }

async function count(db: Db, table: keyof Database): Promise<number> {
  const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function copyDatabase(source: Db, target: Db): Promise<CopyReport[]> {
  for (const table of COPY_ORDER) {
    if ((await count(target, table)) > 0) throw new Error(`The target is not empty: table ${table} has rows.`)
  }
  await target.transaction().execute(async (trx) => {
    for (const table of COPY_ORDER) {
      const self = SELF_REFERENCES[table]
      const hasId = !['facilitator_platform', 'initiative_holder', 'rate_limit', 'retired_link', 'session_alias', 'pitch_record', 'facilitator_totp', 'calendar_reply_state', 'retention_run'].includes(table)
      let offset = 0
      for (;;) {
        let q = source.selectFrom(table).selectAll()
        if (hasId) q = q.orderBy('id' as never)
        const rows = (await q.limit(CHUNK).offset(offset).execute()) as Array<Record<string, unknown>>
        if (rows.length === 0) break
        const values = self ? rows.map((r) => ({ ...r, [self]: null })) : rows
        await trx.insertInto(table).values(values as never).execute()
        if (self) {
          for (const r of rows.filter((r) => r[self] !== null)) {
            await trx.updateTable(table).set({ [self]: r[self] } as never).where('id' as never, '=', r.id as never).execute()
          }
        }
        offset += rows.length
      }
      // Rows were inserted with their ids: move the identity past them, or the next insert would collide.
      if (hasId) {
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce((select max(id) from ${sql.table(table)}), 0) + 1, false)`.execute(trx)
      }
    }
  })
  const report: CopyReport[] = []
  for (const table of COPY_ORDER) report.push({ table, source: await count(source, table), target: await count(target, table) })
  const wrong = report.filter((r) => r.source !== r.target)
  if (wrong.length) throw new Error(`Row counts differ after the copy: ${wrong.map((w) => `${w.table} ${w.source}→${w.target}`).join(', ')}`)
  return report
}
