import { type Expression, type Kysely, type SqlBool, sql } from 'kysely'
import type { Database, Db } from '../db/schema.js'
import { emailKey } from '../pitches/store.js'
import { termsOf } from './rules.js'
import { likeAnywhere, type Replacement, replacements } from './scrub.js'
import { ERASED_ADDRESS, textColumns } from './tables.js'

// Read-only: which rows of a platform are a person's (matched by email), which others are about them, and
// which rows of any table name them in free text. Tables are named at run time here, so the queries go through
// an untyped handle; the map in tables.ts is what keeps them honest (its guard test reads the real schema).

type Row = Record<string, unknown>
export type Rows = Partial<Record<keyof Database, Row[]>>

const any = (db: Db) => db as unknown as Kysely<any>
/** `in ()` is not SQL: an empty list matches no row (ids start at 1). */
const list = (ids: number[]) => (ids.length ? ids : [0])
const idsOf = (rows: Row[] | undefined, column = 'id') => [...new Set((rows ?? []).map((r) => r[column]).filter((v): v is number => typeof v === 'number'))]

/**
 * How each table's rows belong to a platform: its own platform_id, or a parent's. Every table with a free-text
 * column must have one (tables.test.ts checks), so a person's name is looked for in it.
 */
export const SCOPE: Partial<Record<keyof Database, 'platform_id' | { column: string; parent: keyof Database }>> = {
  platform: { column: 'id', parent: 'platform' }, venue: 'platform_id', session: 'platform_id', holder: 'platform_id',
  initiative: 'platform_id', partner: 'platform_id', outbox: 'platform_id', facilitator_token: 'platform_id', calendar_reply: 'platform_id',
  agenda_item: { column: 'session_id', parent: 'session' }, pitch: { column: 'session_id', parent: 'session' },
  invitation: { column: 'session_id', parent: 'session' }, attendance: { column: 'session_id', parent: 'session' },
  contact: { column: 'partner_id', parent: 'partner' }, referral: { column: 'partner_id', parent: 'partner' },
  advice: { column: 'pitch_id', parent: 'pitch' }, pitch_record: { column: 'pitch_id', parent: 'pitch' },
  referral_event: { column: 'referral_id', parent: 'referral' },
  minutes_draft: { column: 'session_id', parent: 'session' }, minutes_pitch_text: { column: 'session_id', parent: 'session' },
  minutes_version: { column: 'session_id', parent: 'session' },
}

/** `<column> in (ids of the platform's rows of the parent)`, down the chain of SCOPE. */
function inPlatform(table: keyof Database, platformId: number): Expression<SqlBool> {
  const scope = SCOPE[table]
  if (!scope) throw new Error(`privacy: no platform scope for table ${table} (src/privacy/whose.ts SCOPE)`)
  if (scope === 'platform_id') return sql<SqlBool>`${sql.ref(`${table}.platform_id`)} = ${platformId}`
  if (scope.parent === 'platform') return sql<SqlBool>`${sql.ref(`${table}.id`)} = ${platformId}`
  const parentIds = sql`(select ${sql.ref(`${scope.parent}.id`)} from ${sql.table(scope.parent)} where ${inPlatform(scope.parent, platformId)})`
  return sql<SqlBool>`${sql.ref(`${table}.${scope.column}`)} in ${parentIds}`
}

function select(db: Db, table: keyof Database, where: Expression<SqlBool>): Promise<Row[]> {
  return any(db).selectFrom(table).selectAll().where(where).orderBy(sql.raw('1')).execute() as Promise<Row[]>
}

const lowerIs = (column: string, key: string) => sql<SqlBool>`lower(${sql.ref(column)}) = ${key}`
const inIds = (column: string, ids: number[]) => sql<SqlBool>`${sql.ref(column)} in (${sql.join(list(ids))})`

/** The rows that are the person's own: what erasure changes (tables.ts `own`). */
async function ownRows(db: Db, platformId: number, email: string): Promise<Rows> {
  const key = emailKey(email)
  const holder = await select(db, 'holder', sql<SqlBool>`platform_id = ${platformId} and email_key = ${key}`)
  const contact = await select(db, 'contact', sql<SqlBool>`email_key = ${key} and ${inPlatform('contact', platformId)}`)
  const H = idsOf(holder)
  const C = idsOf(contact)
  return {
    holder, contact,
    pitch: await select(db, 'pitch', inIds('holder_id', H)),
    invitation: await select(db, 'invitation', inIds('contact_id', C)),
    attendance: await select(db, 'attendance', sql<SqlBool>`${inPlatform('attendance', platformId)} and (${inIds('contact_id', C)} or ${inIds('holder_id', H)} or ${lowerIs('email', key)})`),
    venue: await select(db, 'venue', sql<SqlBool>`platform_id = ${platformId} and ${lowerIs('host_email', key)}`),
    outbox: await select(db, 'outbox', sql<SqlBool>`platform_id = ${platformId} and ${lowerIs('to_email', key)}`),
    facilitator_token: await select(db, 'facilitator_token', sql<SqlBool>`platform_id = ${platformId} and ${lowerIs('email', key)}`),
    calendar_reply: await select(db, 'calendar_reply', sql<SqlBool>`platform_id = ${platformId} and (${lowerIs('attendee_email', key)} or ${lowerIs('from_address', key)})`),
  }
}

/** Rows about the person that are not theirs to erase (their initiatives, the advice and referrals they got). */
export async function relatedRows(db: Db, own: Rows): Promise<Rows> {
  const H = idsOf(own.holder)
  const C = idsOf(own.contact)
  const P = idsOf(own.pitch)
  const initiative_holder = await select(db, 'initiative_holder', inIds('holder_id', H))
  const referral = await select(db, 'referral', sql<SqlBool>`${inIds('pitch_id', P)} or ${inIds('contact_id', C)}`)
  return {
    initiative_holder,
    initiative: await select(db, 'initiative', inIds('id', idsOf(initiative_holder, 'initiative_id'))),
    pitch_record: await select(db, 'pitch_record', inIds('pitch_id', P)),
    advice: await select(db, 'advice', sql<SqlBool>`${inIds('pitch_id', P)} or ${inIds('contact_id', C)}`),
    referral,
    referral_event: await select(db, 'referral_event', sql<SqlBool>`${inIds('referral_id', idsOf(referral))} or ${inIds('by_contact_id', C)}`),
  }
}

/** Every row of the platform whose free text contains one of the terms (their name, address or phone). */
async function mentionRows(db: Db, platformId: number, terms: Replacement[]): Promise<Rows> {
  const out: Rows = {}
  if (terms.length === 0) return out
  for (const table of Object.keys(SCOPE) as Array<keyof Database>) {
    const columns = textColumns(table)
    if (columns.length === 0) continue
    const anyTerm = sql.join(columns.flatMap((c) => terms.map((t) =>
      // SQLite's lower() knows ASCII only: the text as typed, or lowered ("Élodie" in a sentence, "ÉLODIE").
      sql`(${sql.ref(`${table}.${c}`)} like ${likeAnywhere(t.find)} escape '\\' or lower(${sql.ref(`${table}.${c}`)}) like ${likeAnywhere(t.find.toLowerCase())} escape '\\')`)), sql` or `)
    const rows = await select(db, table, sql<SqlBool>`${inPlatform(table, platformId)} and (${anyTerm})`)
    if (rows.length) out[table] = rows
  }
  return out
}

/** What the export and the erasure both start from: the person's own rows, the terms that name them, the rows that do. */
export async function personRows(db: Db, platformId: number, email: string): Promise<{ own: Rows; list: Replacement[]; mentions: Rows }> {
  const own = await ownRows(db, platformId, email)
  const list = replacements(termsOf(own, email))
  return { own, list, mentions: await mentionRows(db, platformId, list) }
}

export function holderAndContactIds(own: Rows): { holder: number[]; contact: number[] } {
  return { holder: idsOf(own.holder), contact: idsOf(own.contact) }
}

export interface Found { kind: 'holder' | 'contact' | 'walk_in'; name: string; email: string; detail: string | null }

/** A facilitator's search across the platform's people, by email or name (at most 50 of each kind). */
export async function searchPeople(db: Db, platformId: number, query: string): Promise<Found[]> {
  const pattern = likeAnywhere(query.trim().toLowerCase())
  const like = (column: string) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
  const holders = await db.selectFrom('holder').select(['name', 'email']).where('platform_id', '=', platformId).where('email', 'is not', null)
    .where((eb) => eb.or([like('holder.name'), like('holder.email')])).orderBy('name').limit(50).execute()
  const contacts = await db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
    .select(['contact.name', 'contact.email', 'partner.name as partner']).where('partner.platform_id', '=', platformId)
    .where((eb) => eb.or([like('contact.name'), like('contact.email')])).where('contact.email', '!=', ERASED_ADDRESS)
    .orderBy('contact.name').limit(50).execute()
  const walkIns = await db.selectFrom('attendance').innerJoin('session', 'session.id', 'attendance.session_id')
    .select(['attendance.name', 'attendance.email', 'attendance.organisation', 'session.date']).where('session.platform_id', '=', platformId)
    .where('attendance.email', 'is not', null).where((eb) => eb.or([like('attendance.name'), like('attendance.email')]))
    .orderBy('session.date', 'desc').limit(50).execute()
  return [
    ...holders.map((h) => ({ kind: 'holder' as const, name: h.name, email: h.email!, detail: null })),
    ...contacts.map((c) => ({ kind: 'contact' as const, name: c.name, email: c.email, detail: c.partner })),
    ...walkIns.map((a) => ({ kind: 'walk_in' as const, name: a.name ?? '', email: a.email!, detail: [a.organisation, a.date].filter(Boolean).join(', ') })),
  ]
}
