import { sql } from 'kysely'
import type { Answer, Db } from '../db/schema.js'
import { retireLink } from '../web/personal-links.js'
import { hashToken, personalToken, randomToken } from '../web/tokens.js'
import { emailKey } from './store.js'

// Invitations of contacts to sessions (the invitation table): who is invited, their answers, their links,
// the delegation caps, and the facilitator's lists of who comes and whom to invite. Joins the session table
// (sessions/) only for dates.

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

/**
 * The invitations that this invitation's delegation created (one at most since #25; older data may hold more).
 * A delegate is invited to the same session: looked up among that session's invitations (its index), not by
 * delegated_from_id, which has none — a scan of every invitation on every answer (15 ms of CPU per RSVP POST
 * on the bench's 100,000 invitations).
 */
export function delegatedInvitations(db: Db, invitationId: number) {
  return invitationsWithPeople(db)
    .where('invitation.session_id', '=', (eb) => eb.selectFrom('invitation as origin').select('origin.session_id').where('origin.id', '=', invitationId))
    .where('invitation.delegated_from_id', '=', invitationId).orderBy('invitation.id').execute()
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
