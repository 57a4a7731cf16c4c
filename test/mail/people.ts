import type { Platform } from '../../src/db/schema.js'
import { insertInvitation, seedPartners } from '../../src/partners/store.js'
import { contactRecipient } from '../../src/partners/recipients.js'
import { queueSessionMail } from '../../src/sessions/notify.js'
import { findSessionById } from '../../src/sessions/store.js'
import type { TestApp } from '../helpers/app.js'

// A partner contact invited to a session, through the partners feature's own store, and the invitation
// email queued as partners/ queues it: what the mail tests need of a person with a personal link.

const T0 = '2026-11-01T00:00:00.000Z'

export async function invitedContact(t: TestApp, platform: Platform, sessionId: number, person: { name: string; email: string }) {
  await seedPartners(t.db, platform.id, [{ name: 'CAF du Pas-de-Calais', kind: 'public_body', themes: [], contacts: [person] }], T0)
  const contact = await t.db.selectFrom('contact').select(['id', 'name', 'email']).where('email', '=', person.email).executeTakeFirstOrThrow()
  const invitation = (await insertInvitation(t.db, t.config.sessionSecret, { sessionId, contactId: contact.id }, T0))!
  return { contact, invitation }
}

/** Queues the session invitation (REQUEST) for that contact; returns the outbox row's id. */
export async function queueInvitation(t: TestApp, platform: Platform, sessionId: number, invited: Awaited<ReturnType<typeof invitedContact>>) {
  const session = (await findSessionById(t.db, sessionId))!
  const to = contactRecipient(t.app.ctx, invited.contact, invited.invitation)
  return (await queueSessionMail(t.app.ctx, t.db, platform, session, 'session.invitation', to, { itip: 'REQUEST' }))!
}
