import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import { record, type AuditActor } from '../audit/store.js'
import { truncateLog } from '../db/index.js'
import type { Database, Db } from '../db/schema.js'
import { removeMessageFiles } from '../mail/transport.js'
import { retireLink } from '../web/personal-links.js'
import { erasedOwnRow, keyOf, scrubbedRow } from './rules.js'
import { PERSONAL } from './tables.js'
import { holderAndContactIds, personRows } from './whose.js'

// Erasure on request (issue #17): one transaction removes a person's identity from every table of one platform,
// by the rules of tables.ts, and logs it in the audit trail; the rows that make the figures stay.
//
// The documented exception to "one owner per table": the owners' stores (pitches/, partners/, sessions/,
// record/, referrals/, mail/) have no erasePerson of their own, so privacy/ writes their rows here, and only
// through the one map that says, column by column, what each table holds. When an owner grows its own
// erasePerson(db, …), call it from here instead and drop its table from the generic loop.
//
// - Their queued (or sending) messages are dropped; the others keep their metadata, their content emptied, and
//   their local copies (.eml) are deleted after the commit.
// - Their personal links (pitch, confirmation, RSVP, feeds) are retired: they answer 410 from now on.
// - A second run finds nothing (their address is no longer stored anywhere) and changes nothing.

export interface ErasureDeps {
  db: Db
  platformId: number
  email: string
  now: Date
  dataDir: string
  actor: AuditActor
  /** 'retention': the background job's, past the retention period (retention.ts); logged as such. */
  reason?: 'request' | 'retention'
}

export interface ErasureReport {
  /** Rows changed (or deleted) by table; empty when nothing was held. */
  changed: Record<string, number>
  /** Queued messages dropped. */
  dropped: number
  retiredLinks: number
}

type Row = Record<string, unknown>
const any = (db: Db) => db as unknown as Kysely<any>
const fresh = () => randomBytes(16).toString('hex')

export async function erasePerson(deps: ErasureDeps): Promise<ErasureReport> {
  const now = deps.now.toISOString()
  const report: ErasureReport = { changed: {}, dropped: 0, retiredLinks: 0 }
  const files: Array<{ id: number; kind: string }> = []
  const count = (table: string) => { report.changed[table] = (report.changed[table] ?? 0) + 1 }

  await deps.db.transaction().execute(async (trx) => {
    const { own, list, mentions } = await personRows(trx, deps.platformId, deps.email)

    for (const table of Object.keys(own) as Array<keyof Database>) {
      const rule = PERSONAL[table]!
      for (const row of own[table] ?? []) {
        const where = keyOf(table, row)
        if (table === 'outbox' && (row.status === 'queued' || row.status === 'sending')) {
          await deleteRow(trx, table, where)
          report.dropped++
          files.push(row as { id: number; kind: string })
          continue
        }
        const { changes, retired } = erasedOwnRow(table, row, list, fresh)
        for (const link of retired) {
          if (link.purpose !== 'facilitator') {
            await retireLink(trx, { hash: link.hash, purpose: link.purpose, platformId: deps.platformId, reason: 'revoked' }, now)
          }
          report.retiredLinks++
        }
        if (rule.own === 'delete') {
          await deleteRow(trx, table, where)
          count(table)
        } else if (Object.keys(changes).length) {
          await updateRow(trx, table, where, withUpdatedAt(table, changes, now))
          count(table)
        }
        if (table === 'outbox') files.push(row as { id: number; kind: string })
      }
    }

    for (const table of Object.keys(mentions) as Array<keyof Database>) {
      const mine = new Set((own[table] ?? []).map((r) => JSON.stringify(keyOf(table, r))))
      for (const row of mentions[table] ?? []) {
        if (mine.has(JSON.stringify(keyOf(table, row)))) continue
        const changes = scrubbedRow(table, row, list)
        if (Object.keys(changes).length === 0) continue
        await updateRow(trx, table, keyOf(table, row), changes)
        count(table)
        if (table === 'outbox') files.push(row as { id: number; kind: string })
      }
    }

    await record(trx, {
      platformId: deps.platformId, actor: deps.actor, action: deps.reason === 'retention' ? 'retention.erase' : 'person.erase',
      rows: holderAndContactIds(own), counts: { ...report.changed, dropped_mail: report.dropped, retired_links: report.retiredLinks },
    }, now)
  })

  // After the commit: the local copies of the messages that held them, and SQLite's log of the old pages.
  if (files.length) await removeMessageFiles(deps.dataDir, files)
  if (Object.keys(report.changed).length || report.dropped) await truncateLog(deps.db)
  return report
}

/** Rows kept get their updated_at moved, where the table has one (the facilitator sees when it changed). */
function withUpdatedAt(table: keyof Database, changes: Row, now: string): Row {
  return 'updated_at' in (PERSONAL[table]!.columns as Row) ? { ...changes, updated_at: now } : changes
}

async function updateRow(db: Db, table: keyof Database, where: Row, changes: Row) {
  let q = any(db).updateTable(table).set(changes)
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v)
  await q.execute()
}

async function deleteRow(db: Db, table: keyof Database, where: Row) {
  let q = any(db).deleteFrom(table)
  for (const [k, v] of Object.entries(where)) q = q.where(k, '=', v)
  await q.execute()
}
