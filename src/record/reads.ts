import type { Db } from '../db/schema.js'

// Read-only queries over other folders' tables (partners' invitations, pitches, referrals): what the record
// pages show. record/ writes none of these tables here.

/** Contacts expected at the session: those who answered on site or remotely, and the colleagues named to replace someone. */
export async function expectedContacts(db: Db, sessionId: number) {
  const answered = await db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .select(['contact.id as contactId', 'contact.name', 'contact.partner_id as partnerId', 'partner.name as organisation', 'invitation.answer', 'invitation.delegated_from_id as delegatedFrom'])
    .where('invitation.session_id', '=', sessionId).where('invitation.answer', 'in', ['on_site', 'remote'])
    .orderBy('partner.name_key').orderBy('contact.name').execute()
  const delegates = await db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.delegate_contact_id')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .select(['contact.id as contactId', 'contact.name', 'contact.partner_id as partnerId', 'partner.name as organisation'])
    .where('invitation.session_id', '=', sessionId).where('invitation.answer', '=', 'delegate')
    .orderBy('partner.name_key').orderBy('contact.name').execute()
  return { answered, delegates }
}

/** The session's pitches in agenda order (the confirmed ones: those that held a slot on the agenda). */
export function heldPitches(db: Db, sessionId: number) {
  return db.selectFrom('pitch')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
    .select([
      'pitch.id', 'pitch.position', 'pitch.initiative_id as initiativeId', 'pitch.holder_id as holderId', 'pitch.attendance_mode as attendanceMode',
      'holder.name as holderName', 'holder.shares_contact as sharesContact', 'initiative.title', 'initiative.stage',
    ])
    .where('pitch.session_id', '=', sessionId).where('pitch.status', '=', 'confirmed')
    .orderBy('pitch.position').orderBy('pitch.id').execute()
}

export type HeldPitch = Awaited<ReturnType<typeof heldPitches>>[number]

/** The referrals made on these pitches, with the organisation and contact they go to (referrals/ owns them). */
export function referralsOfPitches(db: Db, pitchIds: number[]) {
  if (pitchIds.length === 0) return Promise.resolve([])
  return db.selectFrom('referral')
    .innerJoin('partner', 'partner.id', 'referral.partner_id')
    .leftJoin('contact', 'contact.id', 'referral.contact_id')
    .select([
      'referral.id', 'referral.pitch_id as pitchId', 'referral.partner_id as partnerId', 'referral.subject', 'referral.status',
      'referral.follow_up_on as followUpOn', 'partner.name as organisation', 'contact.name as contactName',
    ])
    .where('referral.pitch_id', 'in', pitchIds).orderBy('referral.id').execute()
}

/** Every contact of the platform's organisations, for the referral's optional contact. */
export function platformContacts(db: Db, platformId: number) {
  return db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
    .select(['contact.id', 'contact.name', 'contact.partner_id as partnerId', 'contact.email_key as emailKey'])
    .where('partner.platform_id', '=', platformId).where('contact.active', '=', 1).where('contact.pending', '=', 0)
    .orderBy('contact.name').execute()
}

/** The platform's organisations (partners/ owns them): whom advice came from, whom a holder is referred to. */
export function platformPartners(db: Db, platformId: number) {
  return db.selectFrom('partner').select(['id', 'name', 'name_key']).where('platform_id', '=', platformId).orderBy('name_key').execute()
}
