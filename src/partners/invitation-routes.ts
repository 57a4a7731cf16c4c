import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { platformBase } from '../platforms/access.js'
import { scopeSession } from '../sessions/scope-session.js'
import type { SessionRow } from '../sessions/store.js'
import { presentSession } from '../sessions/view.js'
import { notFound } from '../web/errors.js'
import { parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { answerLabel, attendanceTable, COLUMN_LABELS, inviteRefusal, linksExpired } from './answers.js'
import { calendarAnswerNotes } from './calendar-answers.js'
import { delegateState } from './delegation.js'
import { ID } from './directory-pages.js'
import { inviteForm } from './forms.js'
import { inviteContacts, remindableCount, remindUnanswered, resendInvitation } from './invitations.js'
import { findInvitation, partnersToInvite, sessionAttendance } from './invitation-store.js'
import { linkUndoState, undoNewLink } from './link-undo.js'
import { undeliveredOfSession } from './undelivered-query.js'

// Facilitators, per session: the invitations — invite, "relancer", a new link — with the table of who comes.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function partnerInvitationRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  const sessionOf = (request: FastifyRequest) => scopeSession(ctx.db, request)

  async function renderSession(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, error: string | null = null, status = 200) {
    // The organisations still to invite are only listed while the session takes invitations.
    const refusal = inviteRefusal(session, ctx.clock())
    const [entries, toInvite, calendarNotes, remindable, undelivered] = await Promise.all([
      sessionAttendance(ctx.db, session.id), refusal ? [] : partnersToInvite(ctx.db, platform.id, session.id),
      calendarAnswerNotes(ctx.db, session.id), remindableCount(ctx.db, session.id, ctx.clock()), undeliveredOfSession(ctx.db, session.id),
    ])
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    // After "nouveau lien": "Annuler" while its message has not left (link-undo.ts).
    const resentId = String((request.query as { resent?: unknown }).resent ?? '')
    const resent = ID.test(resentId) ? await findInvitation(ctx.db, Number(resentId)) : undefined
    const linkUndo = resent && resent.session_id === session.id
      ? { name: resent.contact_name, action: `${sessionBase(platform, session)}/${resent.id}/resend/undo`, ...await linkUndoState(ctx, resent) } : null
    const table = attendanceTable(entries.map((e) => ({
      ...e, delegateState: delegateState({ ...e, delegateInvited: e.delegateInvitationId !== null }),
    })), session.venue_capacity, session.mode)
    return page(request, reply, 'admin/session-partners.eta', {
      title: `Partenaires — ${view.longDate}`, platform, base: platformBase(platform), session: view, table, columnLabels: COLUMN_LABELS,
      toInvite: toInvite.map((p) => ({ ...p, waiting: Number(p.waiting) })),
      refusal, linksExpired: linksExpired(session.ends_at, ctx.clock()),
      // Invitations whose latest mail failed or bounced: flagged, with a link to the mail on the Courriers page.
      undelivered,
      // Answers given from a calendar (replies/), and whether they are read at all (REPLY_IMAP_URL or the platform's own mailbox).
      calendarNotes, calendarReplies: ctx.config.replyImapUrl !== null || platform.reply_imap_url !== null,
      // "Relancer" says whom it will write to: those invited or reminded within the hour are left out.
      remind: { due: remindable, recent: entries.filter((e) => e.answer === 'none').length - remindable },
      error, query: request.query, linkUndo,
    }, status)
  }

  const sessionBase = (platform: Platform, session: SessionRow) => `${platformBase(platform)}/sessions/${session.date}/partners`

  app.get('/sessions/:date/partners', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    return renderSession(request, reply, c.platform, c.session)
  })

  app.post('/sessions/:date/partners/invite', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const refusal = inviteRefusal(c.session, ctx.clock())
    if (refusal) return renderSession(request, reply, c.platform, c.session, refusal, 400)
    const form = parseForm(inviteForm, request.body)
    if (!form.ok) return renderSession(request, reply, c.platform, c.session, form.errors.partner_ids ?? 'Choix invalide.', 400)
    const count = await inviteContacts(ctx, c.platform, c.session, form.data.partner_ids.length ? form.data.partner_ids : null)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?invited=${count}`, 303)
  })

  app.post('/sessions/:date/partners/remind', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const refusal = inviteRefusal(c.session, ctx.clock(), 'remind')
    if (refusal) return renderSession(request, reply, c.platform, c.session, refusal, 400)
    const count = await remindUnanswered(ctx, c.platform, c.session)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?reminded=${count}`, 303)
  })

  /** The invitation named by the URL, on the URL's session; and why no new link can go, if so. */
  async function invitationOf(request: FastifyRequest) {
    const c = await sessionOf(request)
    const { invitationId } = request.params as { invitationId: string }
    const invitation = c && ID.test(invitationId) ? await findInvitation(ctx.db, Number(invitationId)) : undefined
    if (!c || !invitation || invitation.session_id !== c.session.id) return null
    const refusal = c.session.status === 'cancelled' ? 'Cette séance est annulée : il n’y a pas de nouveau lien à envoyer.'
      : linksExpired(c.session.ends_at, ctx.clock()) ? 'Cette séance date de plus de 30 jours : les liens personnels ne sont plus valables.' : null
    return { ...c, invitation, refusal }
  }

  // "nouveau lien" first asks, on a page that says what goes to whom (writes nothing).
  app.get('/sessions/:date/partners/:invitationId/resend', async (request, reply) => {
    const c = await invitationOf(request)
    if (!c) return notFound(request, reply)
    if (c.refusal) return renderSession(request, reply, c.platform, c.session, c.refusal, 400)
    const view = presentSession(c.platform, c.session, ctx.config.publicUrl, ctx.clock())
    const inv = c.invitation
    return page(request, reply, 'admin/confirm-resend.eta', {
      title: `Envoyer un nouveau lien à ${inv.contact_name} ?`, platform: c.platform, base: platformBase(c.platform), session: view,
      person: { name: inv.contact_name, email: inv.contact_email, partner: inv.partner_name, answer: answerLabel(inv.answer, c.session.mode), answered: inv.answer !== 'none' },
      calendar: c.session.status === 'published' && ctx.clock().toISOString() < c.session.starts_at,
      back: sessionBase(c.platform, c.session), action: `${sessionBase(c.platform, c.session)}/${inv.id}/resend`,
      graceMinutes: Math.ceil(ctx.config.undoGraceSeconds / 60),
    })
  })

  // The confirmation page's form sends confirm=yes; a POST without it still sends the link (as it always has).
  app.post('/sessions/:date/partners/:invitationId/resend', async (request, reply) => {
    const c = await invitationOf(request)
    if (!c) return notFound(request, reply)
    if (c.refusal) return renderSession(request, reply, c.platform, c.session, c.refusal, 400)
    const { invitation } = c
    await resendInvitation(ctx, c.platform, c.session, invitation)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?resent=${invitation.id}`, 303)
  })

  // "Annuler le nouveau lien": the previous link works again and the message is withdrawn, while it has not left.
  app.post('/sessions/:date/partners/:invitationId/resend/undo', async (request, reply) => {
    const c = await invitationOf(request)
    if (!c) return notFound(request, reply)
    const refusal = await undoNewLink(ctx, c.invitation)
    if (refusal) return renderSession(request, reply, c.platform, c.session, refusal, 409)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?restored=${c.invitation.id}`, 303)
  })
}
