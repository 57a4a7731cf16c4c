import type { Db, Holder } from '../db/schema.js'
import { frCollator } from '../platforms/names.js'
import { reorderedPositions } from './agenda-edit.js'
import { emailKey, type InitiativeInput, upsertHolder } from './store.js'
import { holdsSlot } from './waiting-list.js'

// The facilitator's store functions: initiatives across sessions (list, ideas without a holder, attaching
// a holder, merging duplicates) and the order of a session's pitches.
// Every function takes the database first and runs unchanged inside the caller's transaction.

function withCommune(db: Db) {
  return db.selectFrom('initiative').leftJoin('commune', 'commune.id', 'initiative.commune_id')
    .selectAll('initiative').select('commune.name as commune_name')
}

/** One initiative of this platform (merged ones included: their page leads to the one they joined). */
export function findInitiative(db: Db, platformId: number, id: number) {
  return withCommune(db).where('initiative.platform_id', '=', platformId).where('initiative.id', '=', id).executeTakeFirst()
}

export type InitiativeRow = NonNullable<Awaited<ReturnType<typeof findInitiative>>>

export function initiativeHolders(db: Db, initiativeIds: number[]) {
  if (initiativeIds.length === 0) return Promise.resolve([])
  return db.selectFrom('initiative_holder').innerJoin('holder', 'holder.id', 'initiative_holder.holder_id')
    .select(['initiative_holder.initiative_id', 'holder.id', 'holder.name', 'holder.email', 'holder.phone', 'holder.kind'])
    .where('initiative_holder.initiative_id', 'in', initiativeIds).orderBy('holder.name').orderBy('holder.id').execute()
}

/** Where the initiatives were pitched: one row per pitch, oldest session first. */
export function initiativePitches(db: Db, initiativeIds: number[]) {
  if (initiativeIds.length === 0) return Promise.resolve([])
  return db.selectFrom('pitch')
    .innerJoin('session', 'session.id', 'pitch.session_id')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .select([
      'pitch.id', 'pitch.initiative_id', 'pitch.status', 'pitch.facilitator_message', 'pitch.created_at', 'pitch.holder_id',
      'session.date', 'session.starts_at', 'session.ends_at', 'session.status as session_status', 'holder.name as holder_name',
    ])
    .where('pitch.initiative_id', 'in', initiativeIds).orderBy('session.date').orderBy('pitch.id').execute()
}

/**
 * The platform's initiatives (merged duplicates left out), alphabetically so that duplicates sit side by
 * side, each with its holders and the sessions where it was pitched.
 */
export async function listInitiatives(db: Db, platformId: number, filter: { withoutHolder?: boolean } = {}) {
  let q = withCommune(db).where('initiative.platform_id', '=', platformId).where('initiative.merged_into_id', 'is', null)
  if (filter.withoutHolder) {
    q = q.where((eb) => eb.not(eb.exists(eb.selectFrom('initiative_holder').select('initiative_holder.holder_id')
      .whereRef('initiative_holder.initiative_id', '=', 'initiative.id'))))
  }
  const rows = (await q.execute()).sort((a, b) => frCollator.compare(a.title, b.title) || a.id - b.id)
  const ids = rows.map((r) => r.id)
  const [holders, pitches] = await Promise.all([initiativeHolders(db, ids), initiativePitches(db, ids)])
  return rows.map((r) => ({
    ...r,
    holders: holders.filter((h) => h.initiative_id === r.id),
    pitches: pitches.filter((p) => p.initiative_id === r.id),
  }))
}

/** The live initiatives of the platform, for the "merge into" choice. */
export async function initiativeChoices(db: Db, platformId: number) {
  const rows = await db.selectFrom('initiative').select(['id', 'title']).where('platform_id', '=', platformId).where('merged_into_id', 'is', null).execute()
  return rows.sort((a, b) => frCollator.compare(a.title, b.title) || a.id - b.id)
}

/** Duplicates already merged into this initiative. */
export function mergedInto(db: Db, initiativeId: number) {
  return db.selectFrom('initiative').select(['id', 'title']).where('merged_into_id', '=', initiativeId).orderBy('id').execute()
}

/** An idea the facilitator records before anyone carries it ("idée sans porteur"). */
export async function insertIdea(db: Db, platformId: number, input: InitiativeInput, now: string): Promise<number> {
  const row = await db.insertInto('initiative').values({ platform_id: platformId, ...input, needs: input.needs.join(','), merged_into_id: null, created_at: now, updated_at: now })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

export interface AttachInput { name: string; email: string; phone: string | null; kind: Holder['kind'] }

/**
 * Links a holder (found by email on this platform, or created) to an initiative. A known holder keeps the
 * phone and commune already on file when the facilitator leaves them out.
 */
export async function attachHolder(db: Db, platformId: number, initiative: { id: number; commune_id: number | null }, input: AttachInput, now: string) {
  const known = await db.selectFrom('holder').selectAll().where('platform_id', '=', platformId).where('email_key', '=', emailKey(input.email)).executeTakeFirst()
  const holder = await upsertHolder(db, platformId, {
    name: input.name, email: input.email, phone: input.phone ?? known?.phone ?? null, kind: input.kind,
    commune_id: known ? known.commune_id : initiative.commune_id,
  }, now)
  await db.insertInto('initiative_holder').values({ initiative_id: initiative.id, holder_id: holder.id })
    .onConflict((oc) => oc.columns(['initiative_id', 'holder_id']).doNothing()).execute()
  await db.updateTable('initiative').set({ updated_at: now }).where('id', '=', initiative.id).execute()
  return { holder, known: Boolean(known) }
}

/**
 * Folds a duplicate into the initiative kept: its pitches and holders move over, gaps in the kept one's
 * description are filled from the duplicate, and earlier duplicates of the duplicate follow. Refused
 * (false) unless both are live initiatives of this platform and differ. Run it in a transaction.
 */
export async function mergeInitiative(db: Db, platformId: number, fromId: number, intoId: number, now: string): Promise<boolean> {
  const from = await findInitiative(db, platformId, fromId)
  const into = await findInitiative(db, platformId, intoId)
  if (!from || !into || from.id === into.id || from.merged_into_id !== null || into.merged_into_id !== null) return false
  await db.updateTable('pitch').set({ initiative_id: into.id, updated_at: now }).where('initiative_id', '=', from.id).execute()
  const holders = await db.selectFrom('initiative_holder').select('holder_id').where('initiative_id', '=', from.id).execute()
  if (holders.length) {
    await db.insertInto('initiative_holder').values(holders.map((h) => ({ initiative_id: into.id, holder_id: h.holder_id })))
      .onConflict((oc) => oc.columns(['initiative_id', 'holder_id']).doNothing()).execute()
  }
  await db.deleteFrom('initiative_holder').where('initiative_id', '=', from.id).execute()
  await db.updateTable('initiative').set({ merged_into_id: into.id, updated_at: now }).where('merged_into_id', '=', from.id).execute()
  const needs = [...new Set([...into.needs.split(','), ...from.needs.split(',')].filter(Boolean))].join(',')
  await db.updateTable('initiative').set({
    domain: into.domain ?? from.domain, stage: into.stage ?? from.stage, commune_id: into.commune_id ?? from.commune_id, needs, updated_at: now,
  }).where('id', '=', into.id).execute()
  await db.updateTable('initiative').set({ merged_into_id: into.id, updated_at: now }).where('id', '=', from.id).execute()
  return true
}

/** Moves a held pitch one slot up or down; false when it cannot move. Run under the session's lock. */
export async function reorderPitch(db: Db, sessionId: number, pitchId: number, direction: 'up' | 'down', now: string): Promise<boolean> {
  const rows = await db.selectFrom('pitch').select(['id', 'position', 'status']).where('session_id', '=', sessionId).execute()
  const changes = reorderedPositions(rows.map((r) => ({ id: r.id, position: r.position, held: holdsSlot(r.status) })), pitchId, direction)
  if (!changes) return false
  for (const c of changes) await db.updateTable('pitch').set({ position: c.position, updated_at: now }).where('id', '=', c.id).execute()
  return true
}
