import { readUntilChanged } from '../db/index.js'
import type { Db } from '../db/schema.js'
import { nameKey, slugify } from './names.js'

// Platforms, facilitators, communes and venues.

export function listPlatforms(db: Db) {
  return db.selectFrom('platform').selectAll().orderBy('name').execute()
}

export function findPlatformBySlug(db: Db, slug: string) {
  return db.selectFrom('platform').selectAll().where('slug', '=', slug).executeTakeFirst()
}

/**
 * A platform's id and content version (what the page cache keys on), by slug: the lookup every public page
 * and feed starts with — and often all it does. Two columns, and not asked again while nothing was written
 * (SQLite).
 */
export function findPlatformVersion(db: Db, slug: string) {
  return readUntilChanged(db, `platform:${slug}`, () => db.selectFrom('platform')
    .leftJoin('content_version', 'content_version.platform_id', 'platform.id')
    .select(['platform.id', 'content_version.version']).where('platform.slug', '=', slug).executeTakeFirst())
}

export function findPlatform(db: Db, id: number) {
  return db.selectFrom('platform').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

export function platformsOf(db: Db, platformIds: number[]) {
  if (platformIds.length === 0) return Promise.resolve([])
  return db.selectFrom('platform').selectAll().where('id', 'in', platformIds).orderBy('name').execute()
}

export function findFacilitatorByEmail(db: Db, email: string) {
  return db.selectFrom('facilitator').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst()
}

/** Creates the facilitator or updates their name and password; adds the platform link if given. */
export async function upsertFacilitator(db: Db, input: { email: string; name: string; passwordHash: string; platformId: number | null; now: string }) {
  return db.transaction().execute(async (trx) => {
    const email = input.email.trim().toLowerCase()
    const existing = await findFacilitatorByEmail(trx, email)
    const id = existing
      ? (await trx.updateTable('facilitator').set({ name: input.name, password_hash: input.passwordHash }).where('id', '=', existing.id).returning('id').executeTakeFirstOrThrow()).id
      : (await trx.insertInto('facilitator').values({ email, name: input.name, password_hash: input.passwordHash, created_at: input.now }).returning('id').executeTakeFirstOrThrow()).id
    if (input.platformId !== null) {
      await trx.insertInto('facilitator_platform').values({ facilitator_id: id, platform_id: input.platformId })
        .onConflict((oc) => oc.columns(['facilitator_id', 'platform_id']).doNothing()).execute()
    }
    return { id, created: !existing }
  })
}

export function listCommunes(db: Db, platformId: number) {
  return db.selectFrom('commune').selectAll().where('platform_id', '=', platformId).orderBy('name_key').execute()
}

export function findCommuneBySlug(db: Db, platformId: number, slug: string) {
  return db.selectFrom('commune').selectAll().where('platform_id', '=', platformId).where('slug', '=', slug).executeTakeFirst()
}

export function findCommuneByName(db: Db, platformId: number, name: string) {
  return db.selectFrom('commune').selectAll().where('platform_id', '=', platformId).where('name_key', '=', nameKey(name)).executeTakeFirst()
}

/** Adds a commune unless one with the same folded name exists; returns its id either way. */
export async function ensureCommune(db: Db, platformId: number, input: { name: string; postcode: string | null }, now: string) {
  const existing = await findCommuneByName(db, platformId, input.name)
  if (existing) return { id: existing.id, created: false }
  const row = await db.insertInto('commune')
    .values({ platform_id: platformId, name: input.name, name_key: nameKey(input.name), slug: slugify(input.name), postcode: input.postcode, created_at: now })
    .returning('id').executeTakeFirstOrThrow()
  return { id: row.id, created: true }
}

export function listVenues(db: Db, platformId: number) {
  return db.selectFrom('venue')
    .innerJoin('commune', 'commune.id', 'venue.commune_id')
    .selectAll('venue')
    .select('commune.name as commune_name')
    .where('venue.platform_id', '=', platformId)
    .orderBy('commune.name_key').orderBy('venue.name')
    .execute()
}

export function findVenue(db: Db, platformId: number, id: number) {
  return db.selectFrom('venue').selectAll().where('platform_id', '=', platformId).where('id', '=', id).executeTakeFirst()
}

export interface VenueInput {
  name: string
  address: string
  commune_id: number
  accessibility: string | null
  capacity: number | null
  host_name: string | null
  host_email: string | null
  host_phone: string | null
}

export async function createVenue(db: Db, platformId: number, input: VenueInput, now: string) {
  const row = await db.insertInto('venue').values({ ...input, platform_id: platformId, created_at: now, updated_at: now })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

export function updateVenue(db: Db, platformId: number, id: number, input: VenueInput, now: string) {
  return db.updateTable('venue').set({ ...input, updated_at: now }).where('platform_id', '=', platformId).where('id', '=', id).execute()
}
