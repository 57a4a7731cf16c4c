import type { Db, Partner } from '../db/schema.js'
import { nameKey } from '../platforms/names.js'
import { retireLink } from '../web/personal-links.js'
import { hashToken, personalToken } from '../web/tokens.js'
import type { ImportRow } from './csv-import.js'
import { type ContactInput, type PartnerInput, themesText } from './forms.js'

// Partners (organisations) and their contacts: the directory, its CSV import and the demo's partners.
// Invitations of contacts to sessions are in invitation-store.ts; what partners see of pitches in pitch-query.ts.

export const emailKey = (email: string): string => email.trim().toLowerCase()

// --- Partners -------------------------------------------------------------------------------------------

export function listPartners(db: Db, platformId: number) {
  return db.selectFrom('partner')
    // Pending contacts (named by a colleague, not confirmed) are not in the directory yet.
    .leftJoin('contact', (join) => join.onRef('contact.partner_id', '=', 'partner.id').on('contact.pending', '=', 0))
    .selectAll('partner')
    .select((eb) => [
      eb.fn.count<number | string>('contact.id').as('contact_count'),
      eb.fn.coalesce(eb.fn.sum<number | string>('contact.active'), eb.lit(0)).as('active_count'),
    ])
    .where('partner.platform_id', '=', platformId)
    .groupBy('partner.id')
    .orderBy('partner.name_key')
    .execute()
}

export function findPartner(db: Db, platformId: number, id: number) {
  return db.selectFrom('partner').selectAll().where('platform_id', '=', platformId).where('id', '=', id).executeTakeFirst()
}

export function findPartnerByName(db: Db, platformId: number, name: string) {
  return db.selectFrom('partner').selectAll().where('platform_id', '=', platformId).where('name_key', '=', nameKey(name)).executeTakeFirst()
}

export async function insertPartner(db: Db, platformId: number, input: PartnerInput, now: string): Promise<number> {
  const row = await db.insertInto('partner').values({
    platform_id: platformId, name: input.name, name_key: nameKey(input.name), kind: input.kind,
    themes: themesText(input.themes), website: input.website, notes: input.notes, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function updatePartner(db: Db, platformId: number, id: number, input: PartnerInput, now: string) {
  await db.updateTable('partner').set({
    name: input.name, name_key: nameKey(input.name), kind: input.kind, themes: themesText(input.themes),
    website: input.website, notes: input.notes, updated_at: now,
  }).where('platform_id', '=', platformId).where('id', '=', id).execute()
}

/**
 * Counts one more colleague named by the organisation on the platform's calendar day `day` (the count starts
 * again each day), unless it already named `max` that day: false then. One conditional update, like
 * invitation-store.ts claimInvitationDelegation.
 */
export async function claimPartnerDelegation(db: Db, partnerId: number, day: string, max: number): Promise<boolean> {
  const result = await db.updateTable('partner')
    .set((eb) => ({
      delegation_count: eb.case().when('delegation_day', '=', day).then(eb('delegation_count', '+', 1)).else(1).end(),
      delegation_day: day,
    }))
    .where('id', '=', partnerId)
    .where((eb) => eb.or([eb('delegation_day', 'is', null), eb('delegation_day', '!=', day), eb('delegation_count', '<', max)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

// --- Contacts -------------------------------------------------------------------------------------------

/** The organisation's contacts in the directory (pending ones are listed apart, by pendingContacts). */
export function listContacts(db: Db, partnerId: number) {
  return db.selectFrom('contact').selectAll().where('partner_id', '=', partnerId).where('pending', '=', 0)
    .orderBy('active', 'desc').orderBy('name').execute()
}

/**
 * Contacts named by a colleague's "Je me fais remplacer" and not yet confirmed, with who named them for
 * which session: one row per invitation they hold (or one with nulls if they hold none).
 */
export function pendingContacts(db: Db, platformId: number, partnerId: number | null = null) {
  let q = db.selectFrom('contact')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .leftJoin('invitation', 'invitation.contact_id', 'contact.id')
    .leftJoin('session', 'session.id', 'invitation.session_id')
    .leftJoin('invitation as origin', 'origin.id', 'invitation.delegated_from_id')
    .leftJoin('contact as origin_contact', 'origin_contact.id', 'origin.contact_id')
    .select([
      'contact.id', 'contact.name', 'contact.email', 'contact.created_at', 'partner.id as partner_id', 'partner.name as partner_name',
      'origin_contact.name as proposed_by', 'session.date as session_date',
    ])
    .where('partner.platform_id', '=', platformId)
    .where('contact.pending', '=', 1)
  if (partnerId !== null) q = q.where('partner.id', '=', partnerId)
  return q.orderBy('contact.created_at').orderBy('contact.id').orderBy('session.date').execute()
}

export function findContact(db: Db, partnerId: number, id: number) {
  return db.selectFrom('contact').selectAll().where('partner_id', '=', partnerId).where('id', '=', id).executeTakeFirst()
}

export function findContactByEmail(db: Db, partnerId: number, email: string) {
  return db.selectFrom('contact').selectAll().where('partner_id', '=', partnerId).where('email_key', '=', emailKey(email)).executeTakeFirst()
}

/** Whom a mail about the organisation goes to: the contact chosen, else every active contact (never a pending one). */
export async function contactsToWrite(db: Db, partnerId: number, contactId: number | null) {
  const base = db.selectFrom('contact').select(['id', 'name', 'email']).where('partner_id', '=', partnerId).where('pending', '=', 0)
  if (contactId !== null) {
    const chosen = await base.where('id', '=', contactId).executeTakeFirst()
    if (chosen) return [chosen]
  }
  return base.where('active', '=', 1).orderBy('id').execute()
}

/** `pending`: named by a colleague, waiting for a facilitator's confirmation. */
export async function insertContact(db: Db, partnerId: number, input: ContactInput, now: string, pending = false): Promise<number> {
  const row = await db.insertInto('contact').values({
    partner_id: partnerId, name: input.name, email: input.email.trim(), email_key: emailKey(input.email),
    phone: input.phone, role: input.role, active: input.active ? 1 : 0, pending: pending ? 1 : 0, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function confirmContact(db: Db, partnerId: number, id: number, now: string) {
  await db.updateTable('contact').set({ pending: 0, active: 1, updated_at: now })
    .where('partner_id', '=', partnerId).where('id', '=', id).execute()
}

/**
 * Forgets a contact nobody confirmed (refused, or whose only invitation was revoked): its feed link answers
 * 410. One that already wrote advice is kept, deactivated, so the advice keeps its author.
 */
export async function dropPendingContact(db: Db, contact: { id: number; feed_token_hash: string | null }, platformId: number, now: string) {
  if (contact.feed_token_hash) await retireLink(db, { hash: contact.feed_token_hash, purpose: 'feed', platformId, reason: 'revoked' }, now)
  const advice = await db.selectFrom('advice').select('id').where('contact_id', '=', contact.id).executeTakeFirst()
  if (advice) {
    await db.updateTable('contact').set({ pending: 0, active: 0, feed_token_hash: null, updated_at: now }).where('id', '=', contact.id).execute()
  } else {
    await db.deleteFrom('contact').where('id', '=', contact.id).execute()
  }
}

/** A new personal feed link: the version goes up, the old link answers 410 (call it in a transaction). */
export async function replaceContactFeed(db: Db, secret: string, contact: { id: number; feed_version: number; feed_token_hash: string | null }, platformId: number, now: string) {
  const version = contact.feed_version + 1
  await db.updateTable('contact').set({
    feed_version: version, feed_token_hash: hashToken(personalToken(secret, 'feed-contact', contact.id, version)), updated_at: now,
  }).where('id', '=', contact.id).execute()
  if (contact.feed_token_hash) await retireLink(db, { hash: contact.feed_token_hash, purpose: 'feed', platformId, reason: 'replaced' }, now)
}

export async function updateContact(db: Db, partnerId: number, id: number, input: ContactInput, now: string) {
  await db.updateTable('contact').set({
    name: input.name, email: input.email.trim(), email_key: emailKey(input.email), phone: input.phone, role: input.role,
    active: input.active ? 1 : 0, updated_at: now,
  }).where('partner_id', '=', partnerId).where('id', '=', id).execute()
}

export async function setContactActive(db: Db, partnerId: number, id: number, active: boolean, now: string) {
  await db.updateTable('contact').set({ active: active ? 1 : 0, updated_at: now })
    .where('partner_id', '=', partnerId).where('id', '=', id).execute()
}

/** Finds the organisation by its folded name, or adds it with the given kind. */
async function ensurePartner(db: Db, platformId: number, input: PartnerInput, now: string) {
  const existing = await findPartnerByName(db, platformId, input.name)
  if (existing) return { id: existing.id, created: false }
  return { id: await insertPartner(db, platformId, input, now), created: true }
}

/** Finds the contact by address within the organisation, or adds it; an existing contact is left as it is. */
async function ensureContact(db: Db, partnerId: number, input: ContactInput, now: string) {
  const existing = await findContactByEmail(db, partnerId, input.email)
  if (existing) return { id: existing.id, created: false }
  return { id: await insertContact(db, partnerId, input, now), created: true }
}

export interface ImportReport { partnersCreated: number; contactsCreated: number; contactsKnown: number }

/**
 * Imports checked rows: organisations by folded name, contacts by address within their organisation, so a
 * second import of the same file adds nothing. Known contacts keep what the facilitator already edited.
 * Run inside a transaction.
 */
export async function importContacts(db: Db, platformId: number, rows: ImportRow[], now: string): Promise<ImportReport> {
  const report: ImportReport = { partnersCreated: 0, contactsCreated: 0, contactsKnown: 0 }
  for (const r of rows) {
    const partner = await ensurePartner(db, platformId, { name: r.organisation, kind: 'other', themes: [], website: null, notes: null }, now)
    if (partner.created) report.partnersCreated++
    const contact = await ensureContact(db, partner.id, { name: r.name, email: r.email, phone: r.phone, role: r.role, active: true }, now)
    if (contact.created) report.contactsCreated++
    else report.contactsKnown++
  }
  return report
}

export interface SeedPartner {
  name: string
  kind: Partner['kind']
  themes: string[]
  website?: string
  contacts: Array<{ name: string; email: string; role?: string }>
}

/** The demo seed's partners: idempotent (a second run finds everything and adds nothing). */
export async function seedPartners(db: Db, platformId: number, list: SeedPartner[], now: string) {
  let partners = 0
  let contacts = 0
  for (const p of list) {
    const partner = await ensurePartner(db, platformId, { name: p.name, kind: p.kind, themes: p.themes, website: p.website ?? null, notes: null }, now)
    if (partner.created) partners++
    for (const c of p.contacts) {
      const contact = await ensureContact(db, partner.id, { name: c.name, email: c.email, phone: null, role: c.role ?? null, active: true }, now)
      if (contact.created) contacts++
    }
  }
  return { partners, contacts }
}
