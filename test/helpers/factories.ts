import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config.js'
import type { AppContext } from '../../src/context.js'
import type { Db, OutboxRow, Platform } from '../../src/db/schema.js'
import { withLinks } from '../../src/mail/links.js'
import { insertInvitation } from '../../src/partners/invitation-store.js'
import { seedPartners } from '../../src/partners/store.js'
import { bookPitch } from '../../src/pitches/booking.js'
import { ensureCommune } from '../../src/platforms/store.js'
import { insertSession, type SessionInput } from '../../src/sessions/store.js'
import { hashToken, personalToken, type TokenPurpose } from '../../src/web/tokens.js'

// Factories, not fixtures: each thing a test needs, made by the feature's own store functions (what the app
// itself writes), with defaults a test overrides only where it matters. The platform itself is
// createPlatform (helpers/app.ts).

const T0 = '2026-11-01T00:00:00.000Z'

export interface SessionOptions extends Partial<SessionInput> {
  /** When the row says it was made (created_at/updated_at). */
  now?: string
}

/** A published session (default 2026-12-18, 09:00–12:00, no place), through sessions/store.ts. */
export async function aSession(db: Db, platform: Platform, options: SessionOptions = {}): Promise<number> {
  const { now = T0, ...input } = options
  return insertSession(db, platform, {
    date: '2026-12-18', start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null, mode: 'in_person', video_url: null,
    status: 'published', notes: null, moved_because: null, ...input,
  }, 'fabrik.test', now)
}

/** A commune of the platform (default Harnes), through platforms/store.ts; found again if it exists. */
export function aCommune(db: Db, platform: Platform, name = 'Harnes', postcode: string | null = '62440') {
  return ensureCommune(db, platform.id, { name, postcode }, T0)
}

/**
 * A partner organisation with one contact, invited to a session, through partners/store.ts (the
 * invitation's link hash is the real one, version 0).
 */
export async function anInvitedContact(db: Db, secret: string, platform: Platform, sessionId: number,
  person: { name: string; email: string } = { name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org' },
  organisation = 'CAF du Pas-de-Calais') {
  await seedPartners(db, platform.id, [{ name: organisation, kind: 'public_body', themes: [], contacts: [person] }], T0)
  const contact = await db.selectFrom('contact').select(['id', 'name', 'email', 'feed_version']).where('email', '=', person.email)
    .where('partner_id', 'in', db.selectFrom('partner').select('id').where('platform_id', '=', platform.id)).executeTakeFirstOrThrow()
  const invitation = (await insertInvitation(db, secret, { sessionId, contactId: contact.id }, T0))!
  return { contact, invitation }
}

/**
 * A holder and their pitch on a session, booked the way a facilitator books (confirmed address; the
 * platform's booking mode decides confirmed or pending), through pitches/booking.ts: its email is queued.
 */
export async function aBookedPitch(ctx: AppContext, platform: Platform, sessionId: number, n: number | string = 1,
  holder: Partial<{ name: string; email: string | null; phone: string | null }> = {}) {
  return bookPitch(ctx, platform, sessionId, {
    holder: { name: holder.name ?? `Porteur ${n}`, email: holder.email === undefined ? `porteur${n}@example.org` : holder.email, phone: holder.phone ?? null, kind: 'resident', commune_id: null },
    initiative: { title: `Jardin partagé ${n}`, summary: 'Un jardin au pied des immeubles, avec les voisins.', domain: null, needs: [], stage: null, commune_id: null },
    attendance: 'on_site',
    publicTitle: true,
  }, () => true)
}

/** A personal link's token and the hash the database keeps of it (web/tokens.ts), for any version. */
export function linkToken(config: Pick<Config, 'sessionSecret'>, purpose: TokenPurpose, id: number, version = 0) {
  const token = personalToken(config.sessionSecret, purpose, id, version)
  return { token, hash: hashToken(token) }
}

/** Every outbox row, oldest first, as stored (personal links as references, mail/links.ts). */
export function outboxRows(db: Db): Promise<OutboxRow[]> {
  return db.selectFrom('outbox').selectAll().orderBy('id').execute()
}

/** Every outbox row as it leaves: the personal links written in. */
export async function sentMail(db: Db, config: Pick<Config, 'sessionSecret' | 'publicUrl'>): Promise<OutboxRow[]> {
  return (await outboxRows(db)).map((row) => withLinks(row, config))
}

/** The same, for a test app. */
export function sentMailOf(app: FastifyInstance): Promise<OutboxRow[]> {
  return sentMail(app.ctx.db, app.ctx.config)
}
