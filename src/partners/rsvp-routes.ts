import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatTime, inSentence } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { findPlatform } from '../platforms/store.js'
import { timeAgenda } from '../sessions/agenda.js'
import { contactRecipient } from '../sessions/notify.js'
import { presentSession } from '../sessions/present.js'
import { findSessionById, listAgenda, type SessionRow } from '../sessions/store.js'
import { errorPage, notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { hashToken, looksLikeToken } from '../web/tokens.js'
import { page } from '../web/views.js'
import { ANSWER_CHOICES, ANSWER_LABELS, answerWindow, LINK_DAYS_AFTER_SESSION, linkState } from './attendance.js'
import { adviceForm, answerForm } from './forms.js'
import { recordAnswer } from './invitations.js'
import {
  adviceOfContact, findInvitationByTokenHash, insertAdvice, type InvitationRow, organisationPeers, partnerPitches,
} from './store.js'

// The partner's personal link, /rsvp/{token}: no account, opened from a phone between two meetings. Opening it
// (GET or HEAD, any number of times, from anywhere) changes nothing; answering is a button (POST + CSRF).

/** Unknown tokens allowed per address and minute before every link answers 429 to that address. */
export const GUESSES_PER_MINUTE = 5

interface Opened {
  token: string
  invitation: InvitationRow
  session: SessionRow
  platform: Platform
}

export async function rsvpRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  // Per address, on every method: a partner opens and answers a few times; a scanner is slowed down.
  const limited = { rateLimit: { max: 30, timeWindow: '1 minute' } }
  // Misses are counted apart: once an address has guessed wrong too often, even a right token waits, so a
  // hit cannot be told from a miss while the limit holds.
  const guesses = app.createRateLimit({ max: GUESSES_PER_MINUTE, timeWindow: '1 minute', keyGenerator: (r) => `rsvp-guess:${r.ip}` })
  const opened = new WeakMap<FastifyRequest, Opened>()

  function contactLine(platform: Platform): string {
    const who = platform.contact_name ?? "l'équipe d'animation"
    return `${who} (${platform.contact_email}${platform.contact_phone ? `, ${platform.contact_phone}` : ''})`
  }

  /** 404 for an unknown link and 410 for a replaced or expired one, before any CSRF check (route preHandler). */
  async function openLink(request: FastifyRequest, reply: FastifyReply) {
    reply.header('cache-control', 'no-store')
    reply.header('x-robots-tag', 'noindex, nofollow')
    const peek = await guesses(request, { increment: false })
    if (!peek.isAllowed && peek.remaining <= 0) {
      request.log.warn('rsvp: too many unknown links from one address')
      reply.header('retry-after', String(Math.max(1, peek.ttlInSeconds)))
      return errorPage(request, reply, 429, 'Trop de tentatives', 'Trop de demandes en peu de temps. Patientez une minute avant de réessayer.')
    }
    const { token } = request.params as { token: string }
    const found = looksLikeToken(token) ? await findInvitationByTokenHash(ctx.db, hashToken(token)) : null
    const session = found ? await findSessionById(ctx.db, found.invitation.session_id) : undefined
    if (!found || !session) {
      await guesses(request)
      return notFound(request, reply)
    }
    const platform = await findPlatform(ctx.db, session.platform_id)
    const state = linkState(found.match, session.ends_at, ctx.clock())
    if (state === 'replaced') {
      return errorPage(request, reply, 410, 'Ce lien a été remplacé',
        `Un nouveau lien personnel vous a été envoyé par e-mail pour cette séance : utilisez le message le plus récent. Si vous ne le retrouvez pas, écrivez à ${contactLine(platform)}, qui vous le renverra.`)
    }
    if (state === 'expired') {
      const day = inSentence(presentSession(platform, session, ctx.config.publicUrl, ctx.clock()).longDate)
      return errorPage(request, reply, 410, 'Ce lien a expiré',
        `Ce lien personnel n'est plus valable : la séance du ${day} a eu lieu il y a plus de ${LINK_DAYS_AFTER_SESSION} jours. Pour toute question, écrivez à ${contactLine(platform)}.`)
    }
    opened.set(request, { token, invitation: found.invitation, session, platform })
  }

  const routeOptions = { config: limited, preHandler: openLink }

  interface Forms {
    answerValues?: Record<string, unknown>
    answerErrors?: FieldErrors
    adviceValues?: Record<string, unknown>
    adviceErrors?: FieldErrors
    formError?: string | null
  }

  async function render(request: FastifyRequest, reply: FastifyReply, o: Opened, forms: Forms = {}, status = 200) {
    const { invitation: inv, session, platform } = o
    const now = ctx.clock()
    const view = presentSession(platform, session, ctx.config.publicUrl, now)
    const [items, pitches, peers, advice] = await Promise.all([
      listAgenda(ctx.db, session.id), partnerPitches(ctx.db, session.id), organisationPeers(ctx.db, inv), adviceOfContact(ctx.db, inv.contact_id, session.id),
    ])
    const agenda = timeAgenda(items, session.start_time).map((a) => {
      const p = a.slotNumber ? pitches[a.slotNumber - 1] : undefined
      return { time: formatTime(a.start), title: p ? p.title : a.item.title, pitch: Boolean(p) }
    })
    const feed = contactRecipient(ctx, { id: inv.contact_id, name: inv.contact_name, email: inv.contact_email }, inv).feedUrl!
    const answerValues = forms.answerValues ?? {
      answer: inv.answer === 'none' ? '' : inv.answer, comment: inv.comment ?? '',
      delegate_name: inv.delegate_name ?? '', delegate_email: inv.delegate_email ?? '',
    }
    return page(request, reply, 'public/rsvp.eta', {
      title: `Invitation — ${view.longDate}`, siteName: platform.name, homeHref: `/${platform.slug}`, noindex: true,
      action: `/rsvp/${o.token}`, platform, session: view, invitation: inv, agenda,
      pitches: pitches.map((p) => ({ ...p, commune: p.holder_commune ?? p.initiative_commune })),
      peers: peers.map((p) => ({ ...p, label: ANSWER_LABELS[p.answer] })), advice,
      answerLabel: ANSWER_LABELS[inv.answer], choices: ANSWER_CHOICES, window: answerWindow(session, now),
      feedHttps: feed, feedWebcal: feed.replace(/^https?:/, 'webcal:'),
      answerValues, answerErrors: forms.answerErrors ?? {}, adviceValues: forms.adviceValues ?? {}, adviceErrors: forms.adviceErrors ?? {},
      formError: forms.formError ?? null,
    }, status)
  }

  app.get('/rsvp/:token', routeOptions, async (request, reply) => {
    const o = opened.get(request)
    if (!o) return notFound(request, reply)
    return render(request, reply, o)
  })

  app.post('/rsvp/:token', routeOptions, async (request, reply) => {
    const o = opened.get(request)
    if (!o) return notFound(request, reply)
    const form = parseForm(answerForm, request.body)
    const window = answerWindow(o.session, ctx.clock())
    if (window !== 'answer') {
      const formError = window === 'advice'
        ? 'La séance a commencé : votre réponse ne peut plus être modifiée. Vous pouvez en revanche laisser un avis écrit sur les présentations.'
        : "Cette séance n'attend plus de réponse : elle a été annulée."
      return render(request, reply, o, { answerValues: form.values, formError }, 400)
    }
    if (!form.ok) return render(request, reply, o, { answerValues: form.values, answerErrors: form.errors }, 400)
    const outcome = await recordAnswer(ctx, o.platform, o.session, o.invitation, form.data)
    if (!outcome.ok) return render(request, reply, o, { answerValues: form.values, answerErrors: { [outcome.field]: outcome.message } }, 400)
    return reply.redirect(`/rsvp/${o.token}`, 303)
  })

  // Written advice on a pitch, once the session has started (an excused partner, or anyone invited who wants
  // to add something). Kept against the pitch until the follow-up issue gives advice its own pages.
  app.post('/rsvp/:token/advice', routeOptions, async (request, reply) => {
    const o = opened.get(request)
    if (!o) return notFound(request, reply)
    const form = parseForm(adviceForm, request.body)
    if (answerWindow(o.session, ctx.clock()) !== 'advice') {
      return render(request, reply, o, { adviceValues: form.values, formError: 'Les avis écrits sont ouverts à partir du début de la séance.' }, 400)
    }
    if (!form.ok) return render(request, reply, o, { adviceValues: form.values, adviceErrors: form.errors }, 400)
    const pitches = await partnerPitches(ctx.db, o.session.id)
    if (!pitches.some((p) => p.id === form.data.pitch_id)) {
      return render(request, reply, o, { adviceValues: form.values, adviceErrors: { pitch_id: 'Choisissez une présentation de cette séance.' } }, 400)
    }
    await insertAdvice(ctx.db, { pitchId: form.data.pitch_id, contactId: o.invitation.contact_id, partnerId: o.invitation.partner_id, body: form.data.body! }, ctx.clock().toISOString())
    return reply.redirect(`/rsvp/${o.token}#avis`, 303)
  })
}
