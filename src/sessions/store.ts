import { randomBytes } from 'node:crypto'
import { isPostgres } from '../db/index.js'
import type { Db, NewSession, Platform, SessionStatus, SessionUpdate } from '../db/schema.js'
import { type AgendaTemplateItem, parseAgendaTemplate } from './agenda.js'
import { toInstant } from '../calendar/zoned.js'

// Sessions and their agenda items.

function withPlace(db: Db) {
  return db.selectFrom('session')
    .leftJoin('commune', 'commune.id', 'session.commune_id')
    .leftJoin('venue', 'venue.id', 'session.venue_id')
    .selectAll('session')
    .select([
      'commune.name as commune_name', 'commune.slug as commune_slug',
      'venue.name as venue_name', 'venue.address as venue_address', 'venue.capacity as venue_capacity',
      'venue.accessibility as venue_accessibility',
    ])
}

export type SessionRow = NonNullable<Awaited<ReturnType<typeof findSessionByDate>>>

/**
 * Each platform's next session: the first one not cancelled (draft or published) that has not ended at `now`
 * (the facilitator's home). One query for any number of platforms.
 */
export function nextSessions(db: Db, platformIds: number[], now: string): Promise<SessionRow[]> {
  return withPlace(db)
    .where('session.platform_id', 'in', platformIds.length ? platformIds : [0])
    .where('session.date', '=', (eb) => eb.selectFrom('session as next')
      .select((n) => n.fn.min('next.date').as('d'))
      .whereRef('next.platform_id', '=', 'session.platform_id')
      .where('next.status', '!=', 'cancelled').where('next.ends_at', '>', now))
    .orderBy('session.platform_id')
    .execute()
}

export function findSessionByDate(db: Db, platformId: number, date: string) {
  return withPlace(db).where('session.platform_id', '=', platformId).where('session.date', '=', date).executeTakeFirst()
}

/** The session that was on `date` before it moved (its earlier URLs redirect to it). */
export function findMovedSession(db: Db, platformId: number, date: string) {
  return withPlace(db).innerJoin('session_alias', 'session_alias.session_id', 'session.id')
    .where('session_alias.platform_id', '=', platformId).where('session_alias.date', '=', date).executeTakeFirst()
}

/** Keeps a moved session's earlier date, pointing at it (a later move of another session there takes it over). */
export async function rememberEarlierDate(db: Db, session: { id: number; platform_id: number; date: string }, now: string) {
  await db.insertInto('session_alias').values({ platform_id: session.platform_id, date: session.date, session_id: session.id, created_at: now })
    .onConflict((oc) => oc.columns(['platform_id', 'date']).doUpdateSet({ session_id: session.id, created_at: now })).execute()
}

export function findSessionById(db: Db, id: number) {
  return withPlace(db).where('session.id', '=', id).executeTakeFirst()
}

export function listSessionsByIds(db: Db, ids: number[]) {
  if (ids.length === 0) return Promise.resolve([])
  return withPlace(db).where('session.id', 'in', ids).where('session.status', '!=', 'draft').orderBy('session.date').execute()
}

export function listSessions(db: Db, platformId: number, filter: { from?: string; to?: string; statuses?: SessionStatus[]; limit?: number } = {}) {
  let q = withPlace(db).where('session.platform_id', '=', platformId)
  if (filter.from) q = q.where('session.date', '>=', filter.from)
  if (filter.to) q = q.where('session.date', '<=', filter.to)
  if (filter.statuses) q = q.where('session.status', 'in', filter.statuses)
  q = q.orderBy('session.date')
  if (filter.limit) q = q.limit(filter.limit)
  return q.execute()
}

/** Dates and communes of every non-cancelled session: the rotation's history. */
export function hostingHistory(db: Db, platformId: number) {
  return db.selectFrom('session').select(['date', 'commune_id as communeId'])
    .where('platform_id', '=', platformId).where('status', '!=', 'cancelled').orderBy('date').execute()
}

export function newUid(host: string): string {
  return `session-${randomBytes(9).toString('base64url')}@${host}`
}

export interface SessionInput {
  date: string
  start_time: string
  end_time: string
  commune_id: number | null
  venue_id: number | null
  mode: NewSession['mode']
  video_url: string | null
  status: SessionStatus
  notes: string | null
  moved_because: string | null
}

/** Inserts a session with its agenda from the platform's template. Run inside a transaction. */
export async function insertSession(db: Db, platform: Platform, input: SessionInput, uidHost: string, now: string) {
  const template = parseAgendaTemplate(platform.agenda_template)
  const row = await db.insertInto('session').values({
    ...input,
    platform_id: platform.id,
    starts_at: toInstant(input.date, input.start_time, platform.timezone),
    ends_at: toInstant(input.date, input.end_time, platform.timezone),
    pitch_slots: template.filter((i) => i.kind === 'pitch').length,
    uid: newUid(uidHost),
    sequence: 0,
    created_at: now,
    updated_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  await insertAgenda(db, row.id, template)
  return row.id
}

export async function insertAgenda(db: Db, sessionId: number, items: AgendaTemplateItem[]) {
  if (items.length === 0) return
  await db.insertInto('agenda_item')
    .values(items.map((item, i) => ({ session_id: sessionId, position: i + 1, kind: item.kind, title: item.title, duration_minutes: item.duration_minutes })))
    .execute()
}

export function listAgenda(db: Db, sessionId: number) {
  return db.selectFrom('agenda_item').selectAll().where('session_id', '=', sessionId).orderBy('position').execute()
}

export function updateSessionRow(db: Db, id: number, patch: SessionUpdate) {
  return db.updateTable('session').set(patch).where('id', '=', id).execute()
}

/** "Publier l'année": every draft session of the platform in that year becomes published. */
export async function publishYear(db: Db, platformId: number, year: number, now: string): Promise<void> {
  await db.updateTable('session').set({ status: 'published', updated_at: now })
    .where('platform_id', '=', platformId).where('status', '=', 'draft')
    .where('date', '>=', `${year}-01-01`).where('date', '<=', `${year}-12-31`).execute()
}

/**
 * Serialises bookings of one session. PostgreSQL: lock the session row until the transaction ends (a
 * conditional insert is not enough under READ COMMITTED). SQLite: writers are already serialised — one
 * connection, and Kysely runs one transaction at a time on it — and `FOR UPDATE` is a syntax error there.
 * The dialect is read from the database handle itself (a transaction knows its adapter).
 */
export async function lockSession(db: Db, sessionId: number): Promise<void> {
  if (isPostgres(db)) await db.selectFrom('session').select('id').where('id', '=', sessionId).forUpdate().execute()
}

/** SEQUENCE goes up for a message that changes one person's copy (a CANCEL to one attendee). */
export async function bumpSequence(db: Db, sessionId: number, now: string): Promise<void> {
  await db.updateTable('session').set((eb) => ({ sequence: eb('sequence', '+', 1), updated_at: now })).where('id', '=', sessionId).execute()
}

/** Replaces a session's agenda; its pitch slots are the agenda's pitch items. */
export async function replaceAgenda(db: Db, sessionId: number, items: AgendaTemplateItem[]): Promise<void> {
  await db.deleteFrom('agenda_item').where('session_id', '=', sessionId).execute()
  await insertAgenda(db, sessionId, items)
  await updateSessionRow(db, sessionId, { pitch_slots: items.filter((i) => i.kind === 'pitch').length })
}
