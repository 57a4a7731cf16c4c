import { sql } from 'kysely'
import type { Answer, Db, Partner } from '../db/schema.js'
import { nameKey } from '../platforms/names.js'
import { retireLink } from '../web/personal-links.js'
import { hashToken, personalToken, randomToken } from '../web/tokens.js'
import type { ImportRow } from './csv-import.js'
import { type ContactInput, type PartnerInput, themesText } from './forms.js'

// Partners (organisations), their contacts, and invitations of contacts to sessions. Reads the pitch and
// initiative tables (owned by pitches/) only to show partners the agenda and take their written advice.

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

// --- Invitations ----------------------------------------------------------------------------------------

function invitationsWithPeople(db: Db) {
  return db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .selectAll('invitation')
    .select([
      'contact.name as contact_name', 'contact.email as contact_email', 'contact.active as contact_active',
      'contact.pending as contact_pending', 'contact.feed_version', 'contact.feed_token_hash',
      'contact.partner_id', 'partner.name as partner_name', 'partner.platform_id',
    ])
}

export type InvitationRow = NonNullable<Awaited<ReturnType<typeof findInvitation>>>

export function findInvitation(db: Db, id: number) {
  return invitationsWithPeople(db).where('invitation.id', '=', id).executeTakeFirst()
}

/** A contact's invitation to a session, found by their email. */
export function findSessionInvitationByEmail(db: Db, sessionId: number, email: string) {
  return invitationsWithPeople(db).where('invitation.session_id', '=', sessionId).where('contact.email_key', '=', emailKey(email)).executeTakeFirst()
}

/**
 * The facilitator's table of who comes: only what the page shows, one row per invitation, named as
 * answers.ts takes them (the colleague who sent them when they came by delegation).
 */
export function sessionAttendance(db: Db, sessionId: number) {
  return db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .leftJoin('invitation as origin', 'origin.id', 'invitation.delegated_from_id')
    .leftJoin('contact as origin_contact', 'origin_contact.id', 'origin.contact_id')
    .leftJoin('contact as delegate', 'delegate.id', 'invitation.delegate_contact_id')
    .leftJoin('invitation as delegate_invitation', (join) => join
      .onRef('delegate_invitation.contact_id', '=', 'invitation.delegate_contact_id')
      .onRef('delegate_invitation.session_id', '=', 'invitation.session_id'))
    .select([
      'invitation.id as invitationId', 'contact.partner_id as partnerId', 'partner.name as partnerName', 'contact.name as contactName',
      'invitation.answer', 'invitation.comment', 'invitation.delegate_name as delegateName', 'origin_contact.name as delegatedBy',
      'invitation.reminded_at as remindedAt', 'delegate.active as delegateActive', 'delegate.pending as delegatePending',
      'delegate_invitation.id as delegateInvitationId',
    ])
    .where('invitation.session_id', '=', sessionId)
    .orderBy('invitation.id')
    .execute()
}

/** The invitation whose current link hashes to `hash` (earlier links are in retired_link). */
export function findInvitationByTokenHash(db: Db, hash: string) {
  return invitationsWithPeople(db).where('invitation.token_hash', '=', hash).executeTakeFirst()
}

/** The invitations that this invitation's delegation created (one at most since #25; older data may hold more). */
export function delegatedInvitations(db: Db, invitationId: number) {
  return invitationsWithPeople(db).where('invitation.delegated_from_id', '=', invitationId).orderBy('invitation.id').execute()
}

/** Every invitation a contact holds (a refused pending contact loses them all). */
export function contactInvitations(db: Db, contactId: number) {
  return invitationsWithPeople(db).where('invitation.contact_id', '=', contactId).orderBy('invitation.id').execute()
}

/** The colleague an invitation named, and whether they hold an invitation to the same session. */
export async function namedDelegate(db: Db, invitation: { session_id: number; delegate_contact_id: number | null }) {
  if (invitation.delegate_contact_id === null) return null
  const row = await db.selectFrom('contact')
    .leftJoin('invitation', (join) => join.onRef('invitation.contact_id', '=', 'contact.id').on('invitation.session_id', '=', invitation.session_id))
    .select(['contact.active', 'contact.pending', 'invitation.id as invitation_id'])
    .where('contact.id', '=', invitation.delegate_contact_id).executeTakeFirst()
  return row ? { active: row.active === 1, pending: row.pending === 1, invited: row.invitation_id !== null } : null
}

export async function deleteInvitation(db: Db, id: number) {
  await db.deleteFrom('invitation').where('id', '=', id).execute()
}

/**
 * Counts one more colleague named by this invitation, unless it already named `max`: false then. One
 * conditional update, so two answers sent at once cannot both pass the cap.
 */
export async function claimInvitationDelegation(db: Db, invitationId: number, max: number): Promise<boolean> {
  const result = await db.updateTable('invitation').set((eb) => ({ delegations: eb('delegations', '+', 1) }))
    .where('id', '=', invitationId).where('delegations', '<', max).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** The same for the organisation and the platform's calendar day `day` (the count starts again each day). */
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

/** Active contacts of the platform (or of the chosen organisations) not yet invited to the session. */
export function invitableContacts(db: Db, platformId: number, sessionId: number, partnerIds: number[] | null) {
  let q = db.selectFrom('contact')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .leftJoin('invitation', (join) => join.onRef('invitation.contact_id', '=', 'contact.id').on('invitation.session_id', '=', sessionId))
    .selectAll('contact')
    .where('partner.platform_id', '=', platformId)
    .where('contact.active', '=', 1)
    .where('contact.pending', '=', 0)
    .where('invitation.id', 'is', null)
  if (partnerIds) q = q.where('partner.id', 'in', partnerIds.length ? partnerIds : [-1])
  return q.orderBy('partner.name_key').orderBy('contact.name').execute()
}

/**
 * Invites one contact to one session, at most once (unique session + contact): returns null when the
 * contact already had an invitation. The link token is an HMAC of the invitation's id, so the row is
 * written first with a random placeholder hash, then given its real one.
 */
export async function insertInvitation(db: Db, secret: string, input: { sessionId: number; contactId: number; delegatedFromId?: number | null }, now: string) {
  const row = await db.insertInto('invitation').values({
    session_id: input.sessionId, contact_id: input.contactId, token_hash: `pending:${hashToken(randomToken())}`,
    answer: 'none', delegated_from_id: input.delegatedFromId ?? null, invited_at: now, created_at: now, updated_at: now,
  }).onConflict((oc) => oc.columns(['session_id', 'contact_id']).doNothing()).returning('id').executeTakeFirst()
  if (!row) return null
  await db.updateTable('invitation').set({ token_hash: hashToken(personalToken(secret, 'rsvp', row.id, 0)) }).where('id', '=', row.id).execute()
  return (await findInvitation(db, row.id))!
}

/** A new link: the version goes up, and the old link is retired so it answers 410 (call it in a transaction). */
export async function replaceInvitationToken(db: Db, secret: string, invitation: { id: number; token_hash: string; token_version: number; platform_id: number }, now: string) {
  const version = invitation.token_version + 1
  await db.updateTable('invitation').set({
    token_version: version, token_hash: hashToken(personalToken(secret, 'rsvp', invitation.id, version)), updated_at: now,
  }).where('id', '=', invitation.id).execute()
  await retireLink(db, { hash: invitation.token_hash, purpose: 'rsvp', platformId: invitation.platform_id, reason: 'replaced' }, now)
  return (await findInvitation(db, invitation.id))!
}

export async function saveAnswer(db: Db, id: number, input: {
  answer: Exclude<Answer, 'none'>; comment: string | null; delegateName: string | null; delegateEmail: string | null; delegateContactId?: number | null
}, now: string) {
  const delegating = input.answer === 'delegate'
  await db.updateTable('invitation').set({
    answer: input.answer, comment: input.comment, answered_at: now, updated_at: now,
    delegate_name: delegating ? input.delegateName : null, delegate_email: delegating ? input.delegateEmail : null,
    delegate_contact_id: delegating ? input.delegateContactId ?? null : null,
  }).where('id', '=', id).execute()
}

/** "Relancer": invitations still without answer, except those written to in the last hour (a double click). */
export function unansweredInvitations(db: Db, sessionId: number, notSince: string) {
  return invitationsWithPeople(db)
    .where('invitation.session_id', '=', sessionId)
    .where('invitation.answer', '=', 'none')
    .where((eb) => eb.and([
      eb('invitation.invited_at', '<', notSince),
      eb.or([eb('invitation.reminded_at', 'is', null), eb('invitation.reminded_at', '<', notSince)]),
    ]))
    .orderBy('invitation.id')
    .execute()
}

export async function markReminded(db: Db, ids: number[], now: string) {
  if (ids.length === 0) return
  await db.updateTable('invitation').set({ reminded_at: now, updated_at: now }).where('id', 'in', ids).execute()
}

/** The other people of the same organisation invited to the same session, and their answers. */
export function organisationPeers(db: Db, invitation: { id: number; session_id: number; partner_id: number }) {
  return db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select(['contact.name', 'invitation.answer', 'invitation.delegate_name'])
    .where('invitation.session_id', '=', invitation.session_id)
    .where('contact.partner_id', '=', invitation.partner_id)
    .where('invitation.id', '!=', invitation.id)
    .orderBy('contact.name')
    .execute()
}

/** One organisation's invitations over a period, for its participation over the year. */
export function partnerParticipation(db: Db, partnerId: number, from: string, to: string) {
  return db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .innerJoin('session', 'session.id', 'invitation.session_id')
    .select(['session.id as sessionId', 'session.date', 'session.status', 'contact.name as contactName', 'invitation.answer'])
    .where('contact.partner_id', '=', partnerId)
    .where('session.date', '>=', from)
    .where('session.date', '<=', to)
    .orderBy('session.date')
    .execute()
}

/** Organisations with how many active contacts have not been invited to the session yet. */
export function partnersToInvite(db: Db, platformId: number, sessionId: number) {
  return db.selectFrom('partner')
    .innerJoin('contact', 'contact.partner_id', 'partner.id')
    .leftJoin('invitation', (join) => join.onRef('invitation.contact_id', '=', 'contact.id').on('invitation.session_id', '=', sessionId))
    .select(['partner.id', 'partner.name', sql<number | string>`count(*)`.as('waiting')])
    .where('partner.platform_id', '=', platformId)
    .where('contact.active', '=', 1)
    .where('contact.pending', '=', 0)
    .where('invitation.id', 'is', null)
    .groupBy(['partner.id', 'partner.name', 'partner.name_key'])
    .orderBy('partner.name_key')
    .execute()
}

// --- What partners see of pitches, and their written advice ---------------------------------------------

/**
 * Confirmed pitches as partners see them: the title always (the booking form tells holders that partners
 * see it; the public page is another audience), the holder's commune, the domain and the needs.
 */
export function partnerPitches(db: Db, sessionId: number) {
  return db.selectFrom('pitch')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .leftJoin('commune as holder_commune', 'holder_commune.id', 'holder.commune_id')
    .leftJoin('commune as initiative_commune', 'initiative_commune.id', 'initiative.commune_id')
    .select([
      'pitch.id', 'pitch.position', 'initiative.title', 'initiative.domain', 'initiative.needs',
      'holder_commune.name as holder_commune', 'initiative_commune.name as initiative_commune',
    ])
    .where('pitch.session_id', '=', sessionId)
    .where('pitch.status', '=', 'confirmed')
    .orderBy('pitch.position')
    .orderBy('pitch.id')
    .execute()
}

/** The advice this contact already wrote on the session's pitches. */
export function adviceOfContact(db: Db, contactId: number, sessionId: number) {
  return db.selectFrom('advice')
    .innerJoin('pitch', 'pitch.id', 'advice.pitch_id')
    .select(['advice.id', 'advice.pitch_id', 'advice.body', 'advice.created_at'])
    .where('advice.contact_id', '=', contactId)
    .where('pitch.session_id', '=', sessionId)
    .orderBy('advice.id')
    .execute()
}
