import type { Db, Platform } from '../../src/db/schema.js'
import { seedPartners } from '../../src/partners/store.js'
import { ensureCommune } from '../../src/platforms/store.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp, testConfig } from '../helpers/app.js'
import { aSession, sentMail } from '../helpers/factories.js'

// A platform with a venue of 3 places, a published session on 2026-12-18 09:00–12:00 (Paris), three
// organisations, and a logged-in facilitator. The test clock starts on 2026-11-23.

export const DATE = '2026-12-18'
export const SESSION_PAGE = `/admin/p/test/sessions/${DATE}/partners`
const T0 = '2026-11-01T00:00:00.000Z'

export const PARTNERS = [
  {
    name: 'CAF du Pas-de-Calais', kind: 'public_body' as const, themes: ['financement', 'logement'], website: 'https://caf.example.org',
    contacts: [
      { name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org', role: 'Conseillère' },
      { name: 'Marc Petit', email: 'marc.petit@caf.example.org' },
    ],
  },
  {
    name: 'Département — Action sociale', kind: 'local_authority' as const, themes: ['insertion'],
    contacts: [{ name: 'Léa Martin', email: 'lea.martin@pasdecalais.example.org' }],
  },
  {
    name: 'Fédération des centres sociaux', kind: 'association' as const, themes: ['jeunesse', 'culture'],
    contacts: [
      { name: 'Karim Benali', email: 'karim.benali@centres-sociaux.example.org' },
      { name: 'Ancien Contact', email: 'ancien@centres-sociaux.example.org' },
    ],
  },
]

export interface World {
  t: TestApp
  platform: Platform
  sessionId: number
  admin: Client
}

export async function createSession(db: Db, platform: Platform, date: string, status: 'draft' | 'published' = 'published', venueId: number | null = null) {
  return aSession(db, platform, { date, status, venue_id: venueId, now: T0 })
}

export async function world(options: { capacity?: number } = {}): Promise<World> {
  const t = await buildTestApp()
  const platform = await createPlatform(t.db)
  const commune = await ensureCommune(t.db, platform.id, { name: 'Harnes', postcode: '62440' }, T0)
  const venue = await t.db.insertInto('venue').values({
    platform_id: platform.id, commune_id: commune.id, name: 'Salle Kraska', address: '1 rue des Fusillés, 62440 Harnes',
    accessibility: null, capacity: options.capacity ?? 3, host_name: null, host_email: null, host_phone: null, created_at: T0, updated_at: T0,
  }).returning('id').executeTakeFirstOrThrow()
  const sessionId = await createSession(t.db, platform, DATE, 'published', venue.id)
  await t.db.updateTable('session').set({ commune_id: commune.id }).where('id', '=', sessionId).execute()
  await seedPartners(t.db, platform.id, PARTNERS, T0)
  await t.db.updateTable('contact').set({ active: 0 }).where('email_key', '=', 'ancien@centres-sociaux.example.org').execute()
  const admin = await facilitatorClient(t.app, t.db, [platform.id])
  return { t, platform, sessionId, admin }
}

/** The outbox as the messages leave: personal links written in (the rows keep references, mail/links.ts). */
export const outbox = (db: Db) => sentMail(db, testConfig(''))

export const invitations = (db: Db) => db.selectFrom('invitation')
  .innerJoin('contact', 'contact.id', 'invitation.contact_id')
  .selectAll('invitation').select(['contact.email', 'contact.name'])
  .orderBy('invitation.id').execute()

/** The personal link in a message's text body, as a path (`/rsvp/{token}`). */
export function rsvpPath(textBody: string): string {
  const m = /http:\/\/fabrik\.test(\/rsvp\/[A-Za-z0-9_-]{43})/.exec(textBody)
  if (!m) throw new Error('no personal link in this message')
  return m[1]!
}

/** Each invited person's link, by email address, from the latest message they were sent. */
export async function linksByEmail(db: Db): Promise<Map<string, string>> {
  const links = new Map<string, string>()
  for (const row of await outbox(db)) {
    try {
      links.set(row.to_email, rsvpPath(row.text_body))
    } catch {
      // a message without a personal link
    }
  }
  return links
}

/** Invites every active contact through the facilitator's page. */
export async function inviteAll(w: World) {
  const res = await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/invite`)
  if (res.statusCode !== 303) throw new Error(`invite answered ${res.statusCode}: ${res.body.slice(0, 500)}`)
  return linksByEmail(w.t.db)
}

/** A confirmed pitch on the session (the pitches feature's tables, written directly). */
export async function confirmedPitch(db: Db, platform: Platform, sessionId: number, n: number) {
  const holder = await db.insertInto('holder').values({
    platform_id: platform.id, name: `Porteur ${n}`, email: `porteur${n}@example.org`, email_key: `porteur${n}@example.org`,
    phone: null, kind: 'resident', commune_id: null, feed_token_hash: null, created_at: T0, updated_at: T0,
  }).returning('id').executeTakeFirstOrThrow()
  const initiative = await db.insertInto('initiative').values({
    platform_id: platform.id, title: `Jardin partagé ${n}`, summary: 'Un jardin au pied des immeubles.', domain: 'economie_solidaire',
    needs: 'local,benevoles,financement', stage: null, commune_id: null, merged_into_id: null, created_at: T0, updated_at: T0,
  }).returning('id').executeTakeFirstOrThrow()
  const pitch = await db.insertInto('pitch').values({
    session_id: sessionId, initiative_id: initiative.id, holder_id: holder.id, status: 'confirmed', position: n,
    attendance_mode: 'on_site', public_title: 0, facilitator_message: null, token_hash: `pitch-${n}-${sessionId}`, created_at: T0, updated_at: T0,
  }).returning('id').executeTakeFirstOrThrow()
  return pitch.id
}
