import type { Platform } from '../../src/db/schema.js'
import { contactRecipient } from '../../src/partners/recipients.js'
import { queueSessionMail } from '../../src/sessions/notify.js'
import { findSessionById } from '../../src/sessions/store.js'
import type { TestApp } from '../helpers/app.js'
import { anInvitedContact } from '../helpers/factories.js'

// A partner contact invited to a session, through the partners feature's own store, and the invitation
// email queued as partners/ queues it: what the mail tests need of a person with a personal link.

export function invitedContact(t: TestApp, platform: Platform, sessionId: number, person: { name: string; email: string }) {
  return anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId, person)
}

/** Queues the session invitation (REQUEST) for that contact; returns the outbox row's id. */
export async function queueInvitation(t: TestApp, platform: Platform, sessionId: number, invited: Awaited<ReturnType<typeof invitedContact>>) {
  const session = (await findSessionById(t.db, sessionId))!
  const to = contactRecipient(t.app.ctx, invited.contact, invited.invitation)
  return (await queueSessionMail(t.app.ctx, t.db, platform, session, 'session.invitation', to, { itip: 'REQUEST' }))!
}
