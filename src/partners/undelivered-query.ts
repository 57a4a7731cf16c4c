import type { Db } from '../db/schema.js'
import { undeliveredInvitations, type UndeliveredInvitation } from './answers.js'

// Read-only: the invitation mails of a session as mail/'s outbox holds them, for the facilitator's answers
// table (a bounced or failed invitation is flagged there, with a link to the message on the Courriers page).
// Reads mail/'s table, writes nothing.

/** The mails that carry an invitation to a session (the first one, a new link, the "merci de répondre" reminder). */
export const INVITATION_MAIL_KINDS = ['session.invitation', 'session.invitation-reminder'] as const

/** One query for any number of invitations: each invitation's mails, oldest first, with its bounce mark. */
export async function undeliveredOfSession(db: Db, sessionId: number): Promise<Record<number, UndeliveredInvitation>> {
  const rows = await db.selectFrom('invitation')
    .innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .innerJoin('outbox', (join) => join.onRef('outbox.session_id', '=', 'invitation.session_id').onRef('outbox.to_email', '=', 'contact.email'))
    .select(['invitation.id as invitationId', 'invitation.address_failed_at as bouncedAt', 'invitation.address_failure as bounce',
      'outbox.id as mailId', 'outbox.status', 'outbox.last_error as error', 'outbox.sent_at as sentAt'])
    .where('invitation.session_id', '=', sessionId).where('outbox.kind', 'in', [...INVITATION_MAIL_KINDS])
    .orderBy('outbox.id')
    .execute()
  return undeliveredInvitations(rows)
}
