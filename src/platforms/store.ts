import { readUntilChanged } from '../db/index.js'
import type { Db, Platform } from '../db/schema.js'
import type { CommuneRow } from './communes-import.js'
import { nameKey, slugify } from './names.js'
import type { PlatformInput } from './platform-form.js'

// Platforms, facilitators, communes and venues.

/** The platforms anyone sees (GET /): archived ones are gone. */
export function listPlatforms(db: Db) {
  return db.selectFrom('platform').selectAll().where('archived_at', 'is', null).orderBy('name').execute()
}

/** Every platform, archived ones too (the administrators' list). */
export function listAllPlatforms(db: Db) {
  return db.selectFrom('platform').selectAll().orderBy('name').execute()
}

/** A platform in service, by slug: an archived one is not found (its pages are closed). */
export function findPlatformBySlug(db: Db, slug: string) {
  return db.selectFrom('platform').selectAll().where('slug', '=', slug).where('archived_at', 'is', null).executeTakeFirst()
}

/** Any platform by slug, archived or not: administrators, and the check that a slug is never reused. */
export function findAnyPlatformBySlug(db: Db, slug: string) {
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
    .select(['platform.id', 'platform.name', 'platform.archived_at', 'content_version.version']).where('platform.slug', '=', slug).executeTakeFirst())
}

export function findPlatform(db: Db, id: number) {
  return db.selectFrom('platform').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

/** A facilitator's platforms, archived ones left out (their pages are closed until an administrator restores them). */
export function platformsOf(db: Db, platformIds: number[]) {
  if (platformIds.length === 0) return Promise.resolve([])
  return db.selectFrom('platform').selectAll().where('id', 'in', platformIds).where('archived_at', 'is', null).orderBy('name').execute()
}

/** The columns an administrator's form sets (platform-form.ts), as stored. */
function platformColumns(p: PlatformInput) {
  return {
    name: p.name, country: p.country, region: p.region, timezone: p.timezone, contact_email: p.contact_email,
    contact_name: p.contact_name, rrule: p.rrule, default_start: p.default_start, default_end: p.default_end,
    itinerant: p.itinerant ? 1 as const : 0 as const, skip_months: p.skip_months.join(','),
  }
}

/**
 * Sets the fixed venue of a platform that is not itinerant: the venue of that name in that commune, created
 * if need be (an edit that names the same place again adds nothing).
 */
async function setHomeVenue(trx: Db, platformId: number, venue: PlatformInput['venue'], now: string) {
  let homeVenueId: number | null = null
  if (venue) {
    const commune = await findCommuneByName(trx, platformId, venue.commune)
    if (!commune) throw new Error(`The venue's commune ${venue.commune} is not one of the platform's`)
    const existing = await trx.selectFrom('venue').select('id').where('platform_id', '=', platformId)
      .where('commune_id', '=', commune.id).where('name', '=', venue.name).executeTakeFirst()
    if (existing) {
      await trx.updateTable('venue').set({ address: venue.address, updated_at: now }).where('id', '=', existing.id).execute()
      homeVenueId = existing.id
    } else {
      homeVenueId = await createVenue(trx, platformId, {
        name: venue.name, address: venue.address, commune_id: commune.id, accessibility: null, capacity: null,
        host_name: null, host_email: null, host_phone: null,
      }, now)
    }
  }
  await trx.updateTable('platform').set({ home_venue_id: homeVenueId }).where('id', '=', platformId).execute()
}

async function addCommunes(trx: Db, platformId: number, communes: CommuneRow[], now: string) {
  let added = 0
  for (const c of communes) {
    const { created } = await ensureCommune(trx, platformId, { name: c.name, postcode: c.postcode, code: c.code }, now)
    if (created) added++
  }
  return added
}

/** Runs `work` in a transaction of its own, or in the caller's (the demo seed creates a platform inside its own). */
function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/**
 * Creates a platform with its communes and fixed venue, in one transaction: a unique-slug race or any failure
 * leaves nothing behind. `facilitatorId`: the administrator who asked to facilitate it too.
 */
export async function insertPlatform(db: Db, input: {
  slug: string; platform: PlatformInput; communes: CommuneRow[]; facilitatorId: number | null; agendaTemplate: string; now: string
}) {
  return inTransaction(db, async (trx) => {
    const { id } = await trx.insertInto('platform').values({
      slug: input.slug, ...platformColumns(input.platform), default_video_url: null, contact_phone: null,
      booking_mode: 'auto', booking_close_days: 7, reminder_days: '7,1', agenda_template: input.agendaTemplate,
      created_at: input.now, updated_at: input.now,
    }).returning('id').executeTakeFirstOrThrow()
    const communes = await addCommunes(trx, id, input.communes, input.now)
    await setHomeVenue(trx, id, input.platform.venue, input.now)
    if (input.facilitatorId !== null) await trx.insertInto('facilitator_platform').values({ facilitator_id: input.facilitatorId, platform_id: id }).execute()
    return { id, communes }
  })
}

/** An administrator's edit: the form's columns, communes added (never removed), the fixed venue set. */
export async function updatePlatform(db: Db, platformId: number, input: { platform: PlatformInput; communes: CommuneRow[]; now: string }) {
  return inTransaction(db, async (trx) => {
    await trx.updateTable('platform').set({ ...platformColumns(input.platform), updated_at: input.now }).where('id', '=', platformId).execute()
    const communes = await addCommunes(trx, platformId, input.communes, input.now)
    await setHomeVenue(trx, platformId, input.platform.venue, input.now)
    return { communes }
  })
}

/** Archives or restores a platform; its rows are all kept. */
export async function setArchived(db: Db, platformId: number, archived: boolean, now: string) {
  await db.updateTable('platform').set({ archived_at: archived ? now : null, updated_at: now }).where('id', '=', platformId).execute()
}

/** Where a platform that is not itinerant meets, as a session's commune and venue; null for an itinerant one. */
export async function homePlace(db: Db, platform: Pick<Platform, 'id' | 'itinerant' | 'home_venue_id'>) {
  if (platform.itinerant || platform.home_venue_id === null) return null
  const venue = await findVenue(db, platform.id, platform.home_venue_id)
  return venue ? { commune_id: venue.commune_id, venue_id: venue.id } : null
}

/** The facilitators of each platform, by platform id (the administrators' list). */
export async function facilitatorsByPlatform(db: Db) {
  const rows = await db.selectFrom('facilitator_platform').innerJoin('facilitator', 'facilitator.id', 'facilitator_platform.facilitator_id')
    .select(['facilitator_platform.platform_id', 'facilitator.name', 'facilitator.email', 'facilitator.disabled_at'])
    .orderBy('facilitator.name').execute()
  const out = new Map<number, typeof rows>()
  for (const r of rows) out.set(r.platform_id, [...(out.get(r.platform_id) ?? []), r])
  return out
}

export async function countFacilitators(db: Db): Promise<number> {
  const row = await db.selectFrom('facilitator').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Makes a facilitator an instance administrator (user:add --admin). */
export function setAdmin(db: Db, facilitatorId: number) {
  return db.updateTable('facilitator').set({ admin: 1 }).where('id', '=', facilitatorId).execute()
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
export async function ensureCommune(db: Db, platformId: number, input: { name: string; postcode: string | null; code?: string | null }, now: string) {
  const existing = await findCommuneByName(db, platformId, input.name)
  if (existing) return { id: existing.id, created: false }
  const row = await db.insertInto('commune')
    .values({ platform_id: platformId, name: input.name, name_key: nameKey(input.name), slug: slugify(input.name), postcode: input.postcode, code: input.code ?? null, created_at: now })
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
