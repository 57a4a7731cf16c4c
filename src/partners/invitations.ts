import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { contactRecipient, queueSessionMail } from '../sessions/notify.js'
import type { SessionRow } from '../sessions/store.js'
import type { AnswerInput } from './forms.js'
import {
  findContactByEmail, insertContact, insertInvitation, invitableContacts, type InvitationRow, markReminded,
  replaceInvitationToken, saveAnswer, unansweredInvitations,
} from './store.js'

// The facilitator's and the partner's actions on invitations: each is one transaction that changes the rows
// and queues the emails it causes (outbox rule). Whether an action is allowed is decided before, in
// attendance.ts; these functions only do it.

/** Invites every active contact not yet invited (of the chosen organisations, or all); returns how many. */
export async function inviteContacts(ctx: AppContext, platform: Platform, session: SessionRow, partnerIds: number[] | null): Promise<number> {
  const now = ctx.clock().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    let count = 0
    for (const contact of await invitableContacts(trx, platform.id, session.id, partnerIds)) {
      if (await inviteOne(ctx, trx, platform, session, contact, null, now, null)) count++
    }
    return count
  })
}

async function inviteOne(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, contact: { id: number; name: string; email: string }, delegatedFromId: number | null, now: string, message: string | null) {
  const invitation = await insertInvitation(db, ctx.config.sessionSecret, { sessionId: session.id, contactId: contact.id, delegatedFromId }, now)
  if (!invitation) return null
  await queueSessionMail(ctx, db, platform, session, 'session.invitation', contactRecipient(ctx, contact, invitation), { itip: 'REQUEST', message })
  return invitation
}

export const REMIND_MESSAGE = "Petit rappel : nous n'avons pas encore reçu votre réponse. Dites-nous en un clic si vous venez, sur place ou à distance, ou si un ou une collègue vous remplace."

/** "Relancer": writes again to those who have not answered (not to anyone written to in the last hour). */
export async function remindUnanswered(ctx: AppContext, platform: Platform, session: SessionRow): Promise<number> {
  const now = ctx.clock().toISOString()
  const hourAgo = DateTime.fromJSDate(ctx.clock(), { zone: 'utc' }).minus({ hours: 1 }).toISO()!
  return ctx.db.transaction().execute(async (trx) => {
    const pending = await unansweredInvitations(trx, session.id, hourAgo)
    for (const inv of pending) {
      const to = contactRecipient(ctx, { id: inv.contact_id, name: inv.contact_name, email: inv.contact_email }, inv)
      // The same invitation again (same UID and SEQUENCE): calendars update the event they have in place.
      await queueSessionMail(ctx, trx, platform, session, 'session.invitation', to, { itip: 'REQUEST', message: REMIND_MESSAGE })
    }
    await markReminded(trx, pending.map((i) => i.id), now)
    return pending.length
  })
}

export const RESEND_MESSAGE = 'Voici votre nouveau lien personnel pour cette séance. Le lien envoyé auparavant ne fonctionne plus.'

/**
 * A new link for one invitation (lost or forwarded email): the old link then answers 410. The calendar part
 * only goes with a session still to come.
 */
export async function resendInvitation(ctx: AppContext, platform: Platform, session: SessionRow, invitation: InvitationRow): Promise<void> {
  const now = ctx.clock().toISOString()
  await ctx.db.transaction().execute(async (trx) => {
    const fresh = await replaceInvitationToken(trx, ctx.config.sessionSecret, invitation, now)
    const to = contactRecipient(ctx, { id: fresh.contact_id, name: fresh.contact_name, email: fresh.contact_email }, fresh)
    const upcoming = session.status === 'published' && now < session.starts_at
    await queueSessionMail(ctx, trx, platform, session, 'session.invitation', to, { itip: upcoming ? 'REQUEST' : null, message: RESEND_MESSAGE })
  })
}

export type AnswerOutcome = { ok: true } | { ok: false; field: 'delegate_email'; message: string }

/**
 * Records the partner's answer. "Je me fais remplacer" adds the colleague to the same organisation (or finds
 * them by address there), invites them in their own name and queues their invitation — all in one transaction.
 */
export async function recordAnswer(ctx: AppContext, platform: Platform, session: SessionRow, invitation: InvitationRow, input: AnswerInput): Promise<AnswerOutcome> {
  const now = ctx.clock().toISOString()
  if (input.answer === 'delegate' && input.delegate_email!.trim().toLowerCase() === invitation.contact_email.trim().toLowerCase()) {
    return { ok: false, field: 'delegate_email', message: "Indiquez l'adresse de la personne qui vous remplace, pas la vôtre." }
  }
  await ctx.db.transaction().execute(async (trx) => {
    await saveAnswer(trx, invitation.id, {
      answer: input.answer, comment: input.comment, delegateName: input.delegate_name, delegateEmail: input.delegate_email,
    }, now)
    if (input.answer !== 'delegate') return
    const email = input.delegate_email!
    const name = input.delegate_name!
    const known = await findContactByEmail(trx, invitation.partner_id, email)
    const contactId = known?.id ?? await insertContact(trx, invitation.partner_id, { name, email, phone: null, role: null, active: true }, now)
    const message = `${invitation.contact_name} (${invitation.partner_name}) vous propose de participer à cette séance à sa place. Ce message est votre invitation personnelle.`
    await inviteOne(ctx, trx, platform, session, { id: contactId, name: known?.name ?? name, email: known?.email ?? email }, invitation.id, now, message)
  })
  return { ok: true }
}
