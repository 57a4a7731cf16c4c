import type { Db } from '../db/schema.js'

// Read-only: what the facilitator's home shows of the next session, read across the tables of sessions/,
// pitches/, partners/ and mail/ (each written only by its owner). One query per kind of fact, for any number
// of platforms and sessions: the page issues the same number of queries whatever the data (an empty id list
// still runs its query, against no row).

const ids = (list: number[]) => (list.length ? list : [0])

/** The bookings of these sessions that hold a slot or wait for one, in slot order. */
export function sessionPitches(db: Db, sessionIds: number[]) {
  return db.selectFrom('pitch')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .select(['pitch.id', 'pitch.session_id', 'pitch.status', 'pitch.position', 'initiative.title', 'holder.name as holder_name'])
    .where('pitch.session_id', 'in', ids(sessionIds)).where('pitch.status', 'in', ['pending', 'confirmed', 'waiting'])
    .orderBy('pitch.session_id').orderBy('pitch.position').orderBy('pitch.id')
    .execute()
}

/** Every invitation of these sessions: its answer, and whether a delivery report said its address fails. */
export function sessionInvitations(db: Db, sessionIds: number[]) {
  return db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .innerJoin('partner', 'partner.id', 'contact.partner_id')
    .select(['invitation.session_id', 'invitation.answer', 'invitation.address_failed_at', 'invitation.address_failure',
      'contact.name as contact_name', 'partner.name as partner_name'])
    .where('invitation.session_id', 'in', ids(sessionIds))
    .execute()
}

/** The messages about these sessions that the mail worker gave up on (the "Courriers" page can resend them). */
export function failedMails(db: Db, sessionIds: number[]) {
  return db.selectFrom('outbox')
    .select(['id', 'session_id', 'kind', 'to_name', 'subject', 'last_error', 'created_at'])
    .where('session_id', 'in', ids(sessionIds)).where('status', '=', 'failed')
    .orderBy('id')
    .execute()
}

export type GlancePitch = Awaited<ReturnType<typeof sessionPitches>>[number]
export type GlanceInvitation = Awaited<ReturnType<typeof sessionInvitations>>[number]
export type GlanceMail = Awaited<ReturnType<typeof failedMails>>[number]

/** The three facts of the next sessions, read together (3 queries for any number of sessions). */
export async function glanceFacts(db: Db, sessionIds: number[]) {
  const [pitches, invitations, mails] = await Promise.all([sessionPitches(db, sessionIds), sessionInvitations(db, sessionIds), failedMails(db, sessionIds)])
  return { pitches, invitations, mails }
}
