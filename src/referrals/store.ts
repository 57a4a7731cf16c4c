import type { Db, ReferralStatus } from '../db/schema.js'
import { retireLink } from '../web/personal-links.js'
import { hashToken, personalToken, randomToken } from '../web/tokens.js'
import { queueHolderUpdate, queuePartnerMail, type ReferralMailer } from './mail.js'
import { quietSinceFollowUp } from './reads.js'
import { canMove, OPEN_STATUSES, type ReferralActor } from './status.js'

// The only writes of referral and referral_event. Every function runs in the caller's transaction (a
// Kysely transaction is a Db) and queues its mails there, so a referral and its email exist together or not.

export interface NewReferral {
  pitchId: number
  initiativeId: number
  partnerId: number
  contactId: number | null
  subject: string
  /** 'YYYY-MM-DD' */
  followUpOn: string | null
  shareContact: boolean
  createdBy: number | null
}

/** The partner's personal link of a referral: /referrals/{token}. */
export const referralToken = (secret: string, r: { id: number; token_version: number }) => personalToken(secret, 'referral', r.id, r.token_version)

/**
 * A new referral, its first event ("proposée", by the facilitator) and the 'referral.made' mail to the
 * partner (the contact chosen, else the organisation's active contacts). `mailer`: the app context (its
 * templates, secret and public address). Returns the referral's id.
 */
export async function createReferral(db: Db, m: ReferralMailer, input: NewReferral, now: string): Promise<number> {
  const row = await db.insertInto('referral').values({
    pitch_id: input.pitchId, initiative_id: input.initiativeId, partner_id: input.partnerId, contact_id: input.contactId,
    subject: input.subject, follow_up_on: input.followUpOn, status: 'proposed', share_contact: input.shareContact ? 1 : 0,
    token_hash: `pending:${hashToken(randomToken())}`, reminded_at: null, created_by: input.createdBy, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  await db.updateTable('referral').set({ token_hash: hashToken(referralToken(m.config.sessionSecret, { id: row.id, token_version: 1 })) })
    .where('id', '=', row.id).execute()
  await db.insertInto('referral_event').values({
    referral_id: row.id, status: 'proposed', note: null, by_kind: 'facilitator', by_facilitator_id: input.createdBy,
    by_contact_id: null, by_name: null, created_at: now,
  }).execute()
  await queuePartnerMail(m, db, row.id, 'referral.made', new Date(now))
  return row.id
}

export type ReferralBy =
  | { kind: 'facilitator'; facilitatorId: number | null }
  | { kind: 'partner'; contactId: number | null; name: string | null }

export type StatusResult = { kind: 'saved'; eventId: number } | { kind: 'not-allowed' } | { kind: 'unchanged' } | { kind: 'missing' }

/**
 * A status change and/or a note on one referral, by the team or the partner: its event, and the holder's
 * 'referral.updated' mail. `expected`: the status the form showed — if it changed meanwhile, the change is
 * checked against the current one (a second click is not a second event).
 */
export async function setReferralStatus(mailer: ReferralMailer, db: Db, input: { referralId: number; status: ReferralStatus; note: string | null; by: ReferralBy }, now: string): Promise<StatusResult> {
  const current = await db.selectFrom('referral').select(['id', 'status']).where('id', '=', input.referralId).executeTakeFirst()
  if (!current) return { kind: 'missing' }
  const actor: ReferralActor = input.by.kind
  if (!canMove(current.status, input.status, actor)) return { kind: 'not-allowed' }
  const changed = input.status !== current.status
  if (!changed && !input.note) return { kind: 'unchanged' }
  // Guarded by the status read: two concurrent changes from the same status make one event, not two.
  const updated = await db.updateTable('referral').set({ status: input.status, updated_at: now })
    .where('id', '=', current.id).where('status', '=', current.status).executeTakeFirst()
  if (Number(updated.numUpdatedRows) !== 1) return { kind: 'unchanged' }
  const event = await db.insertInto('referral_event').values({
    referral_id: current.id, status: changed ? input.status : null, note: input.note, by_kind: input.by.kind,
    by_facilitator_id: input.by.kind === 'facilitator' ? input.by.facilitatorId : null,
    by_contact_id: input.by.kind === 'partner' ? input.by.contactId : null,
    by_name: input.by.kind === 'partner' ? input.by.name : null, created_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  await queueHolderUpdate(mailer, db, current.id, event.id, input.note, new Date(now))
  return { kind: 'saved', eventId: event.id }
}

/**
 * The holder agrees (from their /pitch/ page) that the partner of this referral receives their contact
 * details. Only a referral of `initiativeId`; true when it was not shared yet. Recorded in the history.
 */
export async function shareContactWithPartner(db: Db, input: { referralId: number; initiativeId: number; holderName: string }, now: string): Promise<boolean> {
  const updated = await db.updateTable('referral').set({ share_contact: 1 })
    .where('id', '=', input.referralId).where('initiative_id', '=', input.initiativeId).where('share_contact', '=', 0)
    .executeTakeFirst()
  if (Number(updated.numUpdatedRows) !== 1) return false
  await db.insertInto('referral_event').values({
    referral_id: input.referralId, status: null, note: 'Le porteur ou la porteuse accepte que le partenaire reçoive ses coordonnées.',
    by_kind: 'holder', by_facilitator_id: null, by_contact_id: null, by_name: input.holderName, created_at: now,
  }).execute()
  return true
}

/**
 * Claims the one reminder of an overdue referral: reminded_at is set only if still null, so of two workers
 * (or two runs) exactly one gets true and queues the mail.
 */
export async function claimReminder(db: Db, referralId: number, now: string): Promise<boolean> {
  // Still open and not updated since its follow-up day (a partner's answer that just came in wins).
  const updated = await db.updateTable('referral').set({ reminded_at: now })
    .where('id', '=', referralId).where('reminded_at', 'is', null).where('status', 'in', [...OPEN_STATUSES])
    .where(quietSinceFollowUp).executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}

/**
 * A new partner link for this referral (one was forwarded, or lost): the version goes up, the old link answers
 * 410, and 'referral.made' goes again with the new one.
 */
export async function replaceReferralLink(mailer: ReferralMailer, db: Db, referral: { id: number; token_hash: string; token_version: number; platform_id: number }, now: string) {
  const version = referral.token_version + 1
  await db.updateTable('referral').set({ token_version: version, token_hash: hashToken(referralToken(mailer.config.sessionSecret, { id: referral.id, token_version: version })) })
    .where('id', '=', referral.id).where('token_version', '=', referral.token_version).execute()
  await retireLink(db, { hash: referral.token_hash, purpose: 'referral', platformId: referral.platform_id, reason: 'replaced' }, now)
  return queuePartnerMail(mailer, db, referral.id, 'referral.made', new Date(now))
}
