import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { SelfExport } from '../privacy/self-export.js'
import { formatTime, inSentence } from '../calendar/zoned.js'
import type { Db, Platform } from '../db/schema.js'
import { archivedName } from '../platforms/access.js'
import { findPlatform } from '../platforms/store.js'
import { timeAgenda } from '../sessions/agenda.js'
import { contactRecipient } from './recipients.js'
import { presentSession } from '../sessions/view.js'
import { findSessionById, listAgenda, type SessionRow } from '../sessions/store.js'
import { errorPage } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { type GoneReason, linkOpener, openedLink } from '../web/personal-links.js'
import { insertAdvice } from './advice.js'
import { hashToken } from '../web/tokens.js'
import { page } from '../web/views.js'
import { answerChoices, answerLabel, answerModeProblem, answerWindow, LINK_DAYS_AFTER_SESSION, linkEndsAt } from './answers.js'
import { adviceForm, answerForm } from './forms.js'
import { domainText, needsText } from './pitch-words.js'
import { recordAnswer, replaceFeedLink, teamContact } from './invitations.js'
import { findInvitationByTokenHash, type InvitationRow, namedDelegate, organisationPeers } from './invitation-store.js'
import { adviceOfContact, partnerPitches } from './pitch-query.js'

// The partner's personal link, /rsvp/{token}: no account, opened from a phone between two meetings. Opening it
// (GET or HEAD, any number of times, from anywhere) changes nothing; answering is a button (POST + CSRF).
// The link is opened by web/personal-links.ts: guesses counted, a valid link never; an earlier version
// (resent), a revoked delegate's link or one 30 days past the session answers 410 with a French page.

interface Opened {
  invitation: InvitationRow
  session: SessionRow
  platform: Platform
}

/** The sent minutes of a session, whole, latest first (minutes/, handed in by app.ts). */
export type PartnerMinutes = (db: Db, sessionId: number, zone: string) => Promise<unknown[]>

export async function rsvpRoutes(app: FastifyInstance, opts: { minutes?: PartnerMinutes; selfExport?: SelfExport } = {}) {
  const ctx = app.ctx

  async function gone(request: FastifyRequest, reply: FastifyReply, reason: GoneReason, platformId: number) {
    const platform = await findPlatform(ctx.db, platformId)
    const contact = teamContact(platform)
    if (reason === 'expired') {
      // Still the invitation's current link (only those expire): its session names the day.
      const invitation = await findInvitationByTokenHash(ctx.db, hashToken((request.params as { token: string }).token))
      const session = invitation ? await findSessionById(ctx.db, invitation.session_id) : undefined
      const day = session ? ` du ${inSentence(presentSession(platform, session, ctx.config.publicUrl, ctx.clock()).longDate)}` : ''
      return errorPage(request, reply, 410, 'Ce lien a expiré',
        `Ce lien personnel n'est plus valable : la séance${day} a eu lieu il y a plus de ${LINK_DAYS_AFTER_SESSION} jours. Pour toute question, écrivez à ${contact}.`)
    }
    if (reason === 'revoked') {
      return errorPage(request, reply, 410, 'Ce lien a été retiré',
        `Ce lien personnel a été retiré : l'invitation qu'il ouvrait n'est plus valable (la personne qui vous avait proposé de la remplacer a changé sa réponse, ou l'équipe d'animation l'a retirée). Si vous pensez qu'il s'agit d'une erreur, écrivez à ${contact}.`)
    }
    return errorPage(request, reply, 410, 'Ce lien a été remplacé',
      `Un nouveau lien personnel vous a été envoyé par e-mail pour cette séance : utilisez le message le plus récent. Si vous ne le retrouvez pas, écrivez à ${contact}, qui vous le renverra.`)
  }

  const openRsvp = linkOpener<Opened>(app, {
    purpose: 'rsvp',
    find: async (db, hash) => {
      const invitation = await findInvitationByTokenHash(db, hash)
      const session = invitation ? await findSessionById(db, invitation.session_id) : undefined
      if (!invitation || !session) return undefined
      const platform = await findPlatform(db, session.platform_id)
      return { row: { invitation, session, platform }, platformId: platform.id, endsAt: linkEndsAt(session.ends_at), archivedPlatform: archivedName(platform) }
    },
    gone,
  })

  const routeOptions = { preHandler: openRsvp }
  const opened = (request: FastifyRequest) => openedLink<Opened>(request)

  interface Forms {
    answerValues?: Record<string, unknown>
    answerErrors?: FieldErrors
    adviceValues?: Record<string, unknown>
    adviceErrors?: FieldErrors
    formError?: string | null
  }

  async function render(request: FastifyRequest, reply: FastifyReply, forms: Forms = {}, status = 200) {
    const { token, target: { row: { invitation: inv, session, platform } } } = opened(request)
    const now = ctx.clock()
    const view = presentSession(platform, session, ctx.config.publicUrl, now)
    // Someone sent in a colleague's place (or not yet confirmed by the facilitators) does not see the
    // organisation's other invitees and their answers: a delegation names anyone, by design.
    const insider = inv.delegated_from_id === null && !inv.contact_pending
    const [items, pitches, peers, advice, delegate] = await Promise.all([
      listAgenda(ctx.db, session.id), partnerPitches(ctx.db, session.id), insider ? organisationPeers(ctx.db, inv) : [],
      adviceOfContact(ctx.db, inv.contact_id, session.id), inv.answer === 'delegate' ? namedDelegate(ctx.db, inv) : null,
    ])
    const agenda = timeAgenda(items, session.start_time).map((a) => {
      const p = a.slotNumber ? pitches[a.slotNumber - 1] : undefined
      return { time: formatTime(a.start), title: p ? p.title : a.item.title, pitch: Boolean(p) }
    })
    const feed = contactRecipient(ctx, { id: inv.contact_id, name: inv.contact_name, email: inv.contact_email, feed_version: inv.feed_version }, inv).feedUrl!
    const answerValues = forms.answerValues ?? {
      answer: inv.answer === 'none' ? '' : inv.answer, comment: inv.comment ?? '',
      delegate_name: inv.delegate_name ?? '', delegate_email: inv.delegate_email ?? '',
    }
    const q = request.query as { agenda?: string; donnees?: string }
    return page(request, reply, 'public/rsvp.eta', {
      title: `Invitation — ${view.longDate}`, siteName: platform.name, homeHref: `/${platform.slug}`, noindex: true,
      action: `/rsvp/${token}`, platform, session: view, invitation: inv, agenda,
      pitches: pitches.map((p) => ({
        ...p, commune: p.holder_commune ?? p.initiative_commune, domain: domainText(p.domain), needs: needsText(p.needs),
      })),
      peers: peers.map((p) => ({ ...p, label: answerLabel(p.answer, session.mode) })), advice,
      delegateInvited: delegate ? delegate.invited : true,
      answerLabel: answerLabel(inv.answer, session.mode), choices: answerChoices(session.mode), window: answerWindow(session, now),
      feedHttps: feed, feedWebcal: feed.replace(/^https?:/, 'webcal:'), feedReplaced: q.agenda === 'nouveau', myData: q.donnees ?? null,
      answerValues, answerErrors: forms.answerErrors ?? {}, adviceValues: forms.adviceValues ?? {}, adviceErrors: forms.adviceErrors ?? {},
      formError: forms.formError ?? null,
      // The minutes go to the contacts the session invited, not to a colleague still awaiting approval.
      minutes: opts.minutes && !inv.contact_pending ? await opts.minutes(ctx.db, session.id, platform.timezone) : [],
    }, status)
  }

  app.get('/rsvp/:token', routeOptions, async (request, reply) => render(request, reply))

  app.post('/rsvp/:token', routeOptions, async (request, reply) => {
    const { token, target: { row: o } } = opened(request)
    const form = parseForm(answerForm, request.body)
    const window = answerWindow(o.session, ctx.clock())
    if (window !== 'answer') {
      const formError = window === 'advice'
        ? 'La séance a commencé : votre réponse ne peut plus être modifiée. Vous pouvez en revanche laisser un avis écrit sur les présentations.'
        : "Cette séance n'attend plus de réponse : elle a été annulée."
      return render(request, reply, { answerValues: form.values, formError }, 400)
    }
    if (!form.ok) return render(request, reply, { answerValues: form.values, answerErrors: form.errors }, 400)
    const modeProblem = answerModeProblem(form.data.answer, o.session.mode)
    if (modeProblem) return render(request, reply, { answerValues: form.values, answerErrors: { answer: modeProblem } }, 400)
    const outcome = await recordAnswer(ctx, o.platform, o.session, o.invitation, form.data)
    if (!outcome.ok) return render(request, reply, { answerValues: form.values, answerErrors: { [outcome.field]: outcome.message } }, 400)
    return reply.redirect(`/rsvp/${token}`, 303)
  })

  // "Remplacer le lien de mon agenda": a feed link shared by mistake stops working (410), a new one is shown.
  app.post('/rsvp/:token/feed', routeOptions, async (request, reply) => {
    const { token, target: { row: o } } = opened(request)
    await replaceFeedLink(ctx, o.platform.id, o.invitation.partner_id, o.invitation.contact_id)
    return reply.redirect(`/rsvp/${token}?agenda=nouveau#calendar-title`, 303)
  })

  // "Mes données" (tracker 22): everything held about this contact, mailed to their own address by privacy/
  // (handed in by app.ts); the page only says it was sent.
  app.post('/rsvp/:token/mes-donnees', routeOptions, async (request, reply) => {
    const { token, target: { row: o } } = opened(request)
    if (!opts.selfExport) return reply.redirect(`/rsvp/${token}`, 303)
    const done = await opts.selfExport(o.platform, { name: o.invitation.contact_name, email: o.invitation.contact_email })
    return reply.redirect(`/rsvp/${token}?donnees=${done === 'sent' ? 'envoyees' : 'deja'}#my-data-title`, 303)
  })

  // Written advice on a pitch, once the session has started (an excused partner, or anyone invited who wants
  // to add something). Kept against the pitch until the follow-up issue gives advice its own pages.
  app.post('/rsvp/:token/advice', routeOptions, async (request, reply) => {
    const { token, target: { row: o } } = opened(request)
    const form = parseForm(adviceForm, request.body)
    if (answerWindow(o.session, ctx.clock()) !== 'advice') {
      return render(request, reply, { adviceValues: form.values, formError: 'Les avis écrits sont ouverts à partir du début de la séance.' }, 400)
    }
    if (!form.ok) return render(request, reply, { adviceValues: form.values, adviceErrors: form.errors }, 400)
    const pitches = await partnerPitches(ctx.db, o.session.id)
    if (!pitches.some((p) => p.id === form.data.pitch_id)) {
      return render(request, reply, { adviceValues: form.values, adviceErrors: { pitch_id: 'Choisissez une présentation de cette séance.' } }, 400)
    }
    await insertAdvice(ctx.db, { pitchId: form.data.pitch_id, contactId: o.invitation.contact_id, partnerId: o.invitation.partner_id, body: form.data.body! }, ctx.clock().toISOString())
    return reply.redirect(`/rsvp/${token}#avis`, 303)
  })
}
