import { type SqlBool, sql } from 'kysely'
import type { Db, ReferralStatus } from '../db/schema.js'
import { OPEN_STATUSES } from './status.js'

// What the referral pages read: the partner's link, the facilitator's Orientations page, the holder's page.

function linkRow(db: Db) {
  return db.selectFrom('referral').innerJoin('partner', 'partner.id', 'referral.partner_id')
    .select(['referral.id', 'referral.partner_id', 'referral.contact_id', 'referral.token_hash', 'referral.token_version', 'partner.platform_id', 'partner.name as partner_name'])
}

/** The referral a partner's link opens, with its organisation's platform. */
export function findReferralByTokenHash(db: Db, hash: string) {
  return linkRow(db).where('referral.token_hash', '=', hash).executeTakeFirst()
}

/** The same row by the referral's id: its current link, to replace it ("Envoyer un nouveau lien"). */
export function findReferralLink(db: Db, referralId: number) {
  return linkRow(db).where('referral.id', '=', referralId).executeTakeFirstOrThrow()
}

export type LinkReferral = NonNullable<Awaited<ReturnType<typeof findReferralByTokenHash>>>

function listing(db: Db) {
  return db.selectFrom('referral')
    .innerJoin('partner', 'partner.id', 'referral.partner_id')
    .innerJoin('initiative', 'initiative.id', 'referral.initiative_id')
    .innerJoin('pitch', 'pitch.id', 'referral.pitch_id')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .innerJoin('session', 'session.id', 'pitch.session_id')
    .leftJoin('contact', 'contact.id', 'referral.contact_id')
    .select([
      'referral.id', 'referral.status', 'referral.subject', 'referral.follow_up_on', 'referral.share_contact',
      'referral.reminded_at', 'referral.created_at', 'referral.updated_at', 'referral.partner_id', 'referral.initiative_id',
      'partner.name as partner_name', 'partner.platform_id', 'initiative.title as initiative_title', 'initiative.summary as initiative_summary',
      'holder.name as holder_name', 'holder.email as holder_email', 'holder.phone as holder_phone',
      'session.date as session_date', 'contact.name as contact_name',
    ])
}

export type ReferralListing = Awaited<ReturnType<ReturnType<typeof listing>['execute']>>[number]

/** Every open referral to one organisation (the partner's link), oldest session first. */
export function openReferralsOfPartner(db: Db, partnerId: number) {
  return listing(db).where('referral.partner_id', '=', partnerId).where('referral.status', 'in', [...OPEN_STATUSES])
    .orderBy('session.date').orderBy('referral.id').execute()
}

export interface ReferralFilter {
  partnerId?: number | null
  initiativeId?: number | null
  /** null: every open one. */
  status?: ReferralStatus | null
}

/** The platform's referrals for the Orientations page (sorted by the page: overdue first). */
export function platformReferrals(db: Db, platformId: number, filter: ReferralFilter) {
  let q = listing(db).where('partner.platform_id', '=', platformId)
  q = filter.status ? q.where('referral.status', '=', filter.status) : q.where('referral.status', 'in', [...OPEN_STATUSES])
  if (filter.partnerId) q = q.where('referral.partner_id', '=', filter.partnerId)
  if (filter.initiativeId) q = q.where('referral.initiative_id', '=', filter.initiativeId)
  return q.orderBy('referral.follow_up_on').orderBy('referral.id').execute()
}

/** One referral of the platform, or undefined (another platform's is not found). */
export function platformReferral(db: Db, platformId: number, referralId: number) {
  return listing(db).where('partner.platform_id', '=', platformId).where('referral.id', '=', referralId).executeTakeFirst()
}

/** A referral's dated history, oldest first, with who made each change. */
export function referralHistory(db: Db, referralId: number) {
  return db.selectFrom('referral_event')
    .leftJoin('facilitator', 'facilitator.id', 'referral_event.by_facilitator_id')
    .leftJoin('contact', 'contact.id', 'referral_event.by_contact_id')
    .select([
      'referral_event.id', 'referral_event.status', 'referral_event.note', 'referral_event.by_kind', 'referral_event.by_name',
      'referral_event.created_at', 'facilitator.name as facilitator_name', 'contact.name as contact_name',
    ])
    .where('referral_event.referral_id', '=', referralId).orderBy('referral_event.created_at').orderBy('referral_event.id').execute()
}

/** The organisations and initiatives that have referrals on this platform: the page's filters. */
export async function referralFilterChoices(db: Db, platformId: number) {
  const base = db.selectFrom('referral').innerJoin('partner', 'partner.id', 'referral.partner_id').where('partner.platform_id', '=', platformId)
  const [partners, initiatives] = await Promise.all([
    base.select(['partner.id', 'partner.name']).distinct().orderBy('partner.name').execute(),
    base.innerJoin('initiative', 'initiative.id', 'referral.initiative_id').select(['initiative.id', 'initiative.title as name']).distinct().orderBy('initiative.title').execute(),
  ])
  return { partners, initiatives }
}

/** A holder's view of the referrals of their initiative (their /pitch/ page): never the partner's people. */
export function referralsOfInitiative(db: Db, initiativeId: number) {
  return db.selectFrom('referral').innerJoin('partner', 'partner.id', 'referral.partner_id')
    .select(['referral.id', 'referral.status', 'referral.subject', 'referral.follow_up_on', 'referral.share_contact', 'referral.updated_at', 'partner.name as partner_name'])
    .where('referral.initiative_id', '=', initiativeId).orderBy('referral.id').execute()
}

/** Nobody said anything since the follow-up day came (isOverdue's rule, in SQL): the last change is older. */
export const quietSinceFollowUp = sql<SqlBool>`substr(${sql.ref('referral.updated_at')}, 1, 10) < ${sql.ref('referral.follow_up_on')}`

/** Open referrals whose follow-up day has passed, nobody said anything since, never reminded. */
export function overdueUnreminded(db: Db, today: string) {
  return db.selectFrom('referral').innerJoin('partner', 'partner.id', 'referral.partner_id')
    .innerJoin('platform', 'platform.id', 'partner.platform_id')
    .select(['referral.id', 'platform.timezone', 'referral.follow_up_on', 'referral.updated_at', 'referral.status'])
    .where('referral.status', 'in', [...OPEN_STATUSES]).where('referral.reminded_at', 'is', null)
    .where('referral.follow_up_on', 'is not', null).where('referral.follow_up_on', '<', today).where(quietSinceFollowUp)
    .where('platform.archived_at', 'is', null)
    .orderBy('referral.id').execute()
}
