import { DateTime } from 'luxon'
import { todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { holdRow } from '../mail/hold.js'
import { addSeconds } from '../mail/outbox.js'
import { queueSessionMail } from '../sessions/notify.js'
import { contactRecipient } from './recipients.js'
import { bumpSequence, findSessionById, type SessionRow } from '../sessions/store.js'
import { retireLink } from '../web/personal-links.js'
import { delegationCapMessage, delegationPlan, MAX_DELEGATIONS_PER_INVITATION, MAX_DELEGATIONS_PER_PARTNER_PER_DAY } from './delegation.js'
import type { AnswerInput } from './forms.js'
import {
  claimInvitationDelegation, contactInvitations, deleteInvitation, delegatedInvitations, insertInvitation, invitableContacts,
  type InvitationRow, markReminded, replaceInvitationToken, saveAnswer, unansweredInvitations,
} from './invitation-store.js'
import { claimPartnerDelegation, dropPendingContact, findContact, findContactByEmail, insertContact, replaceContactFeed } from './store.js'

// The facilitator's and the partner's actions on invitations: each is one transaction that changes the rows
// and queues the emails it causes (outbox rule). Whether an action is allowed is decided before, in
// answers.ts and delegation.ts; these functions only do it.

type Invitee = { id: number; name: string; email: string; feed_version: number }

/** Whom a partner writes to: the platform's contact person and address. */
export function teamContact(platform: Platform): string {
  const who = platform.contact_name ?? "l'équipe d'animation"
  return `${who} (${platform.contact_email}${platform.contact_phone ? `, ${platform.contact_phone}` : ''})`
}

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

async function inviteOne(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, contact: Invitee, delegatedFromId: number | null, now: string, message: string | null) {
  const invitation = await insertInvitation(db, ctx.config.sessionSecret, { sessionId: session.id, contactId: contact.id, delegatedFromId }, now)
  if (!invitation) return null
  await queueSessionMail(ctx, db, platform, session, 'session.invitation', contactRecipient(ctx, contact, invitation), { itip: 'REQUEST', message })
  return invitation
}

const inviteeOf = (inv: InvitationRow): Invitee => ({ id: inv.contact_id, name: inv.contact_name, email: inv.contact_email, feed_version: inv.feed_version })

/** When "Relancer" last wrote, or invited, is too recent to write again: an hour before `now`. */
function remindCutoff(now: Date): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ hours: 1 }).toISO()!
}

/** How many "Relancer" would write to now: what its button says before the click (the count it then sends). */
export async function remindableCount(db: Db, sessionId: number, now: Date): Promise<number> {
  return (await unansweredInvitations(db, sessionId, remindCutoff(now))).length
}

/**
 * "Relancer": writes again to those who have not answered (not to anyone written to in the last hour), with
 * its own mail (session.invitation-reminder: "Rappel : merci de répondre…") and the same calendar REQUEST.
 */
export async function remindUnanswered(ctx: AppContext, platform: Platform, session: SessionRow): Promise<number> {
  const clock = ctx.clock()
  const now = clock.toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    const pending = await unansweredInvitations(trx, session.id, remindCutoff(clock))
    for (const inv of pending) {
      // The same invitation again (same UID and SEQUENCE): calendars update the event they have in place.
      await queueSessionMail(ctx, trx, platform, session, 'session.invitation-reminder', contactRecipient(ctx, inviteeOf(inv), inv), { itip: 'REQUEST' })
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
    const upcoming = session.status === 'published' && now < session.starts_at
    const id = await queueSessionMail(ctx, trx, platform, session, 'session.invitation', contactRecipient(ctx, inviteeOf(fresh), fresh), { itip: upcoming ? 'REQUEST' : null, message: RESEND_MESSAGE })
    // It waits the undo's grace period: "Annuler" brings the previous link back while it has not left (link-undo.ts).
    if (id !== null) await holdRow(trx, id, addSeconds(now, ctx.config.undoGraceSeconds))
  })
}

/**
 * Takes an invitation back: its link answers 410 "retiré", the person gets a CANCEL for their copy of the
 * session (while it is still to end), and whoever they had sent in their place loses their invitation too.
 * A pending contact left without any invitation is forgotten. Run inside a transaction.
 */
async function revokeInvitation(ctx: AppContext, db: Db, platform: Platform, invitation: InvitationRow, now: string, reason: string) {
  for (const delegate of await delegatedInvitations(db, invitation.id)) await revokeInvitation(ctx, db, platform, delegate, now, reason)
  await retireLink(db, { hash: invitation.token_hash, purpose: 'rsvp', platformId: invitation.platform_id, reason: 'revoked' }, now)
  const session = (await findSessionById(db, invitation.session_id))!
  if (session.status === 'published' && now < session.ends_at) {
    // RFC 5546 §3.2.5: the CANCEL carries a higher SEQUENCE than the REQUEST it takes back.
    await bumpSequence(db, session.id, now)
    const bumped = (await findSessionById(db, session.id))!
    await queueSessionMail(ctx, db, platform, bumped, 'session.uninvited', contactRecipient(ctx, inviteeOf(invitation), null), { itip: 'CANCEL', message: reason })
  }
  await deleteInvitation(db, invitation.id)
  if (invitation.contact_pending) await forgetIfUnused(db, invitation.partner_id, invitation.contact_id, platform.id, now)
}

async function forgetIfUnused(db: Db, partnerId: number, contactId: number, platformId: number, now: string) {
  const contact = await findContact(db, partnerId, contactId)
  if (!contact || !contact.pending) return
  if ((await contactInvitations(db, contactId)).length > 0) return
  await dropPendingContact(db, contact, platformId, now)
}

export const BACK_MESSAGE = 'Vous ne vous faites plus remplacer : la séance revient dans votre agenda, avec votre lien personnel.'

/**
 * The partner's own calendar copy follows their personal feed, which leaves out a session they send a colleague
 * to: sending one withdraws it (CANCEL with a higher SEQUENCE, RFC 5546 §3.2.5, kind session.delegated),
 * answering again brings it back (REQUEST). Only while the session is published and still to end.
 */
async function followDelegation(ctx: AppContext, db: Db, platform: Platform, invitation: InvitationRow, delegating: boolean, delegateName: string | null, now: string) {
  const session = (await findSessionById(db, invitation.session_id))!
  if (session.status !== 'published' || now >= session.ends_at) return
  const to = contactRecipient(ctx, inviteeOf(invitation), invitation)
  if (!delegating) {
    await queueSessionMail(ctx, db, platform, session, 'session.invitation', to, { itip: 'REQUEST', message: BACK_MESSAGE })
    return
  }
  await bumpSequence(db, session.id, now)
  const bumped = (await findSessionById(db, session.id))!
  await queueSessionMail(ctx, db, platform, bumped, 'session.delegated', to, { itip: 'CANCEL', message: delegateName })
}

export type AnswerOutcome = { ok: true } | { ok: false; field: 'delegate_email'; message: string }

class DelegationRefused extends Error {}

/**
 * Records the partner's answer, in one transaction. "Je me fais remplacer" names one colleague of the same
 * organisation: found by address there, or added as a pending contact (invited, not in the directory until
 * a facilitator confirms them); a deactivated contact is not invited. Naming someone else — or answering
 * anything else — revokes the colleague named before. Within the caps of delegation.ts, else refused.
 */
export async function recordAnswer(ctx: AppContext, platform: Platform, session: SessionRow, invitation: InvitationRow, input: AnswerInput): Promise<AnswerOutcome> {
  const now = ctx.clock().toISOString()
  if (input.answer === 'delegate' && input.delegate_email!.trim().toLowerCase() === invitation.contact_email.trim().toLowerCase()) {
    return { ok: false, field: 'delegate_email', message: "Indiquez l'adresse de la personne qui vous remplace, pas la vôtre." }
  }
  const answer = { answer: input.answer, comment: input.comment, delegateName: input.delegate_name, delegateEmail: input.delegate_email }
  const reason = `${invitation.contact_name} (${invitation.partner_name}) ne vous propose plus de participer à sa place à cette séance.`
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const live = await delegatedInvitations(trx, invitation.id)
      if (input.answer !== 'delegate') {
        if (invitation.answer === 'delegate') await followDelegation(ctx, trx, platform, invitation, false, null, now)
        for (const delegate of live) await revokeInvitation(ctx, trx, platform, delegate, now, reason)
        await saveAnswer(trx, invitation.id, { ...answer, delegateContactId: null }, now)
        return
      }
      const email = input.delegate_email!
      const known = await findContactByEmail(trx, invitation.partner_id, email)
      const plan = delegationPlan(
        live.map((d) => ({ invitationId: d.id, contactId: d.contact_id })),
        known ? { id: known.id, active: known.active === 1, pending: known.pending === 1 } : null,
      )
      if (plan.kind === 'unchanged') {
        await saveAnswer(trx, invitation.id, { ...answer, delegateContactId: known!.id }, now)
        return
      }
      if (!(await claimInvitationDelegation(trx, invitation.id, MAX_DELEGATIONS_PER_INVITATION))) {
        throw new DelegationRefused(delegationCapMessage('invitation', teamContact(platform)))
      }
      if (!(await claimPartnerDelegation(trx, invitation.partner_id, todayIn(platform.timezone, ctx.clock()), MAX_DELEGATIONS_PER_PARTNER_PER_DAY))) {
        throw new DelegationRefused(delegationCapMessage('partner', teamContact(platform)))
      }
      for (const id of plan.revoke) await revokeInvitation(ctx, trx, platform, live.find((d) => d.id === id)!, now, reason)
      const name = input.delegate_name!
      const contactId = known?.id ?? await insertContact(trx, invitation.partner_id, { name, email, phone: null, role: null, active: true }, now, true)
      await saveAnswer(trx, invitation.id, { ...answer, delegateContactId: contactId }, now)
      if (plan.invite === 'inactive') return
      // Only once a colleague is really invited: a deactivated one is not, and the partner keeps their copy.
      if (invitation.answer !== 'delegate') await followDelegation(ctx, trx, platform, invitation, true, known?.name ?? name, now)
      // Revocations raised the SEQUENCE: the new invitation goes out with the session as it now is.
      const current = (await findSessionById(trx, session.id))!
      const message = `${invitation.contact_name} (${invitation.partner_name}) vous propose de participer à cette séance à sa place. Ce message est votre invitation personnelle.`
      const invitee = { id: contactId, name: known?.name ?? name, email: known?.email ?? email, feed_version: known?.feed_version ?? 0 }
      await inviteOne(ctx, trx, platform, current, invitee, invitation.id, now, message)
    })
  } catch (error) {
    if (error instanceof DelegationRefused) return { ok: false, field: 'delegate_email', message: error.message }
    throw error
  }
  return { ok: true }
}

export const REFUSED_MESSAGE = "L'équipe d'animation a retiré cette invitation."

/**
 * "Refuser": the colleague named by a delegation is not a contact of the organisation. Each invitation they
 * hold is revoked (CANCEL, link 410), and the contact is forgotten (kept deactivated if they wrote advice).
 */
export async function refuseContact(ctx: AppContext, platform: Platform, partnerId: number, contactId: number): Promise<void> {
  const now = ctx.clock().toISOString()
  await ctx.db.transaction().execute(async (trx) => {
    const contact = await findContact(trx, partnerId, contactId)
    if (!contact?.pending) return
    // The last revocation forgets the contact; one without any invitation is forgotten here.
    for (const invitation of await contactInvitations(trx, contactId)) await revokeInvitation(ctx, trx, platform, invitation, now, REFUSED_MESSAGE)
    await forgetIfUnused(trx, partnerId, contactId, platform.id, now)
  })
}

/** A new personal feed link for a contact (from their page, or a facilitator's): the old one answers 410. */
export async function replaceFeedLink(ctx: AppContext, platformId: number, partnerId: number, contactId: number): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const contact = await findContact(trx, partnerId, contactId)
    if (contact) await replaceContactFeed(trx, ctx.config.sessionSecret, contact, platformId, ctx.clock().toISOString())
  })
}
