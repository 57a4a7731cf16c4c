import { randomBytes } from 'node:crypto'
import type { Db, Holder, Pitch, PitchStatus } from '../db/schema.js'
import { nameKey } from '../platforms/names.js'
import { addressConfirmed } from './holds.js'
import { HOLDING } from './waiting-list.js'

// Holders, initiatives and pitches.

export function emailKey(email: string): string {
  return email.trim().toLowerCase()
}

export interface HolderInput { name: string; email: string; phone: string | null; kind: Holder['kind']; commune_id: number | null }

/** A holder a facilitator books by phone may have no email address (their messages go to the facilitator). */
export type BookedHolder = Omit<HolderInput, 'email'> & { email: string | null }

/**
 * A holder without an email address, booked by phone: the same name and phone on this platform is the same
 * person (a facilitator sending the form twice books once), refreshed with what was typed; else a new one.
 */
export async function upsertHolderWithoutEmail(db: Db, platformId: number, input: BookedHolder, now: string): Promise<Holder> {
  const same = (await db.selectFrom('holder').selectAll().where('platform_id', '=', platformId).where('email_key', 'is', null).execute())
    .find((h) => nameKey(h.name) === nameKey(input.name) && h.phone === input.phone)
  if (same) {
    await db.updateTable('holder').set({ name: input.name, kind: input.kind, commune_id: input.commune_id, updated_at: now }).where('id', '=', same.id).execute()
    return db.selectFrom('holder').selectAll().where('id', '=', same.id).executeTakeFirstOrThrow()
  }
  const row = await db.insertInto('holder').values({ platform_id: platformId, ...input, email: null, email_key: null, feed_token_hash: null, created_at: now, updated_at: now })
    .returning('id').executeTakeFirstOrThrow()
  return db.selectFrom('holder').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()
}

/** The holder with this email on this platform, created or refreshed with what they just typed. */
export async function upsertHolder(db: Db, platformId: number, input: HolderInput, now: string): Promise<Holder> {
  const key = emailKey(input.email)
  await db.insertInto('holder')
    .values({ platform_id: platformId, ...input, email_key: key, feed_token_hash: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['platform_id', 'email_key']).doUpdateSet({ name: input.name, phone: input.phone, kind: input.kind, commune_id: input.commune_id, updated_at: now }))
    .execute()
  return db.selectFrom('holder').selectAll().where('platform_id', '=', platformId).where('email_key', '=', key).executeTakeFirstOrThrow()
}

/**
 * A holder for an address this platform has never seen, or undefined when it knows it already: then
 * nothing about them changes (the public form must not let anyone rename someone else, issue #25).
 * `sharesContact`: the new holder's own consent that referred partners receive their details; a known
 * address's is never changed by what someone typed.
 */
export async function insertNewHolder(db: Db, platformId: number, input: HolderInput, now: string, sharesContact = false): Promise<Holder | undefined> {
  const row = await db.insertInto('holder')
    .values({ platform_id: platformId, ...input, email_key: emailKey(input.email), shares_contact: sharesContact ? 1 : 0, feed_token_hash: null, created_at: now, updated_at: now })
    .onConflict((oc) => oc.columns(['platform_id', 'email_key']).doNothing())
    .returning('id').executeTakeFirst()
  return row ? db.selectFrom('holder').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow() : undefined
}

export function findHolderByEmail(db: Db, platformId: number, email: string) {
  return db.selectFrom('holder').selectAll().where('platform_id', '=', platformId).where('email_key', '=', emailKey(email)).executeTakeFirst()
}

export interface InitiativeInput { title: string; summary: string; domain: string | null; needs: string[]; stage: string | null; commune_id: number | null }

/**
 * A returning holder pitching the same title again continues the same initiative, updated with what they
 * typed — unless `keep` (someone on the public form, who may not be them): it is then left as it is.
 */
export async function initiativeForHolder(db: Db, platformId: number, holderId: number, input: InitiativeInput, now: string, keep = false): Promise<number> {
  const mine = await db.selectFrom('initiative').innerJoin('initiative_holder', 'initiative_holder.initiative_id', 'initiative.id')
    .select(['initiative.id', 'initiative.title']).where('initiative_holder.holder_id', '=', holderId).where('initiative.merged_into_id', 'is', null).execute()
  const same = mine.find((i) => nameKey(i.title) === nameKey(input.title))
  if (same) {
    if (!keep) await db.updateTable('initiative').set({ summary: input.summary, domain: input.domain, needs: input.needs.join(','), stage: input.stage, commune_id: input.commune_id, updated_at: now }).where('id', '=', same.id).execute()
    return same.id
  }
  const row = await db.insertInto('initiative').values({ platform_id: platformId, ...input, needs: input.needs.join(','), merged_into_id: null, created_at: now, updated_at: now })
    .returning('id').executeTakeFirstOrThrow()
  await db.insertInto('initiative_holder').values({ initiative_id: row.id, holder_id: holderId }).execute()
  return row.id
}

export function findPitchForHolder(db: Db, sessionId: number, holderId: number) {
  return db.selectFrom('pitch').selectAll().where('session_id', '=', sessionId).where('holder_id', '=', holderId).executeTakeFirst()
}

export async function countHeld(db: Db, sessionId: number): Promise<number> {
  const row = await db.selectFrom('pitch').select(db.fn.countAll<number>().as('n')).where('session_id', '=', sessionId).where('status', 'in', HOLDING).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function nextPosition(db: Db, sessionId: number): Promise<number> {
  const row = await db.selectFrom('pitch').select(db.fn.max('position').as('p')).where('session_id', '=', sessionId).executeTakeFirst()
  return Number(row?.p ?? 0) + 1
}

/** Inserts a pitch; the token hash is set by the caller once the id is known (tokens derive from it). */
export async function insertPitch(db: Db, values: {
  session_id: number; initiative_id: number; holder_id: number; status: PitchStatus; attendance_mode: 'on_site' | 'remote'; public_title: 0 | 1; position: number
  address_confirmed_at: string | null; hold_until: string | null; form_nonce_hash: string | null
}, now: string) {
  const row = await db.insertInto('pitch').values({ ...values, facilitator_message: null, token_hash: `unset-${randomBytes(12).toString('hex')}`, created_at: now, updated_at: now })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

export function waitingPitches(db: Db, sessionId: number) {
  return db.selectFrom('pitch').select(['id', 'created_at', 'position', 'address_confirmed_at', 'hold_until'])
    .where('session_id', '=', sessionId).where('status', '=', 'waiting').execute()
}

/** Unconfirmed bookings whose hold has ended, across platforms (the worker releases them). */
export function lapsedHolds(db: Db, now: string, limit: number) {
  return db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').select(['pitch.id', 'session.platform_id'])
    .where('pitch.hold_until', '<=', now).where('pitch.address_confirmed_at', 'is', null).where('pitch.status', 'in', ['pending', 'waiting'])
    .orderBy('pitch.hold_until').limit(limit).execute()
}

/** The booking a form nonce created (the form's answer was that booking's own link). */
export function findPitchByFormNonce(db: Db, nonceHash: string) {
  return db.selectFrom('pitch').select(['id', 'token_version']).where('form_nonce_hash', '=', nonceHash).executeTakeFirst()
}

/** A pitch with everything its pages and emails show. */
export function pitchDetails(db: Db) {
  return db.selectFrom('pitch')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
    .leftJoin('commune', 'commune.id', 'initiative.commune_id')
    .selectAll('pitch')
    .select([
      'holder.name as holder_name', 'holder.email as holder_email', 'holder.phone as holder_phone', 'holder.kind as holder_kind',
      'holder.feed_version as holder_feed_version', 'holder.feed_token_hash as holder_feed_token_hash',
      'initiative.title', 'initiative.summary', 'initiative.domain', 'initiative.needs', 'initiative.stage', 'initiative.commune_id',
      'commune.name as commune_name',
    ])
}

export type PitchDetails = NonNullable<Awaited<ReturnType<ReturnType<typeof pitchDetails>['executeTakeFirst']>>>

export function findPitch(db: Db, id: number) {
  return pitchDetails(db).where('pitch.id', '=', id).executeTakeFirst()
}

/** The pitch whose current link, or current confirmation link, hashes to `hash`. */
export function findPitchByTokenHash(db: Db, hash: string) {
  return pitchDetails(db).where((eb) => eb.or([eb('pitch.token_hash', '=', hash), eb('pitch.confirm_token_hash', '=', hash)])).executeTakeFirst()
}

export function listSessionPitches(db: Db, sessionId: number) {
  return pitchDetails(db).where('pitch.session_id', '=', sessionId).orderBy('pitch.position').orderBy('pitch.id').execute()
}

/**
 * A holder's initiatives, each with the sessions where they pitched it: what a returning holder picks from.
 * Bookings nobody confirmed from the holder's mailbox are left out (someone else may have typed the
 * address), and so is an initiative that only such bookings brought in.
 */
export async function holderInitiatives(db: Db, holderId: number) {
  const initiatives = await db.selectFrom('initiative').innerJoin('initiative_holder', 'initiative_holder.initiative_id', 'initiative.id')
    .selectAll('initiative').where('initiative_holder.holder_id', '=', holderId).where('initiative.merged_into_id', 'is', null)
    .orderBy('initiative.created_at').execute()
  const pitches = initiatives.length === 0 ? [] : await db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id')
    .select(['pitch.initiative_id', 'pitch.status', 'pitch.address_confirmed_at', 'pitch.hold_until', 'session.date', 'session.status as session_status'])
    .where('pitch.holder_id', '=', holderId).where('pitch.initiative_id', 'in', initiatives.map((i) => i.id)).orderBy('session.date').execute()
  return initiatives
    .map((i) => ({ ...i, all: pitches.filter((p) => p.initiative_id === i.id) }))
    .filter((i) => i.all.length === 0 || i.all.some(addressConfirmed))
    .map(({ all, ...i }) => ({ ...i, pitches: all.filter(addressConfirmed) }))
}

export function findHolder(db: Db, id: number) {
  return db.selectFrom('holder').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** The holder's name and phone, as they corrected them on their page ("Mes coordonnées"). */
export async function updateHolderDetails(db: Db, holderId: number, input: { name: string; phone: string | null }, now: string): Promise<void> {
  await db.updateTable('holder').set({ name: input.name, phone: input.phone, updated_at: now }).where('id', '=', holderId).execute()
}

export type PitchEdit = Omit<InitiativeInput, 'commune_id'> & { publicTitle: boolean; attendance: Pitch['attendance_mode'] }

/** The holder's own edit from their page: the initiative's text and the pitch's options. Run in one transaction. */
export async function updatePitchDetails(db: Db, pitch: { id: number; initiative_id: number }, input: PitchEdit, now: string): Promise<void> {
  await db.updateTable('initiative').set({ title: input.title, summary: input.summary, domain: input.domain, needs: input.needs.join(','), stage: input.stage, updated_at: now })
    .where('id', '=', pitch.initiative_id).execute()
  await db.updateTable('pitch').set({ public_title: input.publicTitle ? 1 : 0, attendance_mode: input.attendance, updated_at: now }).where('id', '=', pitch.id).execute()
}
