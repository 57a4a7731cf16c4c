import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { addDays, isValidDate, todayIn } from '../calendar/zoned.js'
import type { Db, Platform } from '../db/schema.js'
import { refuseArchivedPlatform } from '../platforms/access.js'
import { findPlatform, findPlatformBySlug, listCommunes } from '../platforms/store.js'
import { pitchMinutes, presentSession } from '../sessions/view.js'
import { findSessionByDate, listAgenda, listSessions, type SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { linkOpener, openedLink } from '../web/personal-links.js'
import { hashToken } from '../web/tokens.js'
import { bookingLimits } from '../web/security.js'
import { page } from '../web/views.js'
import { BookingClosedError, bookPitch, changePitch, isLive, slotTime } from './booking.js'
import {
  ATTENDANCE, bookingForm, bookingRequest, communeNamed, DOMAINS, HOLDER_KINDS, holderDetailsForm, initiativeEditForm, moveRequestForm, NEEDS, rebookForm, shareContactForm, STAGES,
} from './forms.js'
import { addressConfirmed, releasedUnconfirmed } from './holds.js'
import { holderFeedToken, type OpenedPitch, pitchLinks, replaceHolderFeed } from './links.js'
import { bookFromForm, holdDeadline } from './public-booking.js'
import { findHolder, holderInitiatives, updateHolderDetails, updatePitchDetails } from './store.js'
import { bookingOpen, holdsSlot } from './waiting-list.js'
import { bookRevisit, revisitOffer } from './revisit.js'
import type { SelfExport } from '../privacy/self-export.js'

// Holders: the public booking form, and their own page behind the link in their emails.
// Long file: the form and the holder's page share the link check and the page builder; the page's actions
// (POST /pitch/{token}) are the next piece to move out, to a file of their own.

/** The referrals of the holder's initiative (referrals/, a higher floor, handed in by app.ts). */
export interface HolderReferrals {
  list: (db: Db, initiativeId: number) => Promise<unknown[]>
  /** The holder agrees to share their details with one referral's partner; false if not theirs or already shared. */
  share: (db: Db, input: { referralId: number; initiativeId: number; holderName: string }, now: string) => Promise<boolean>
}

/** The holder's shorter journey of their own initiative (journey/, a higher floor, handed in by app.ts). */
export type HolderJourney = (db: Db, input: { initiativeId: number; holderId: number; zone: string; now: string }) => Promise<unknown[]>

const choices = { DOMAINS, NEEDS, STAGES, HOLDER_KINDS, ATTENDANCE }

/** What the holder's page says after each of its buttons. */
const NOTICES: Record<string, string> = {
  edit: 'Vos modifications sont enregistrées.', withdraw: 'Votre présentation est retirée.', move: 'Votre demande de changement de séance est enregistrée.',
  confirm: 'Merci : votre réservation est confirmée. Un e-mail vous le redit.', feed: "Le lien de votre agenda est remplacé : abonnez-vous avec le nouveau lien ci-dessous (l'ancien ne fonctionne plus).",
  details: 'Vos coordonnées sont enregistrées.',
  share: 'Merci : le partenaire recevra vos coordonnées pour vous contacter.',
  donnees: 'C’est envoyé : vos données arrivent par e-mail à votre adresse, dans quelques minutes.',
  'donnees-deja': 'Vos données vous ont déjà été envoyées il y a moins d’une heure : regardez dans votre boîte de réception (et les indésirables).',
}

/** The sent minutes of the holder's pitch, their own part only, latest first (minutes/, handed in by app.ts). */
export type HolderMinutes = (db: Db, pitchId: number, zone: string) => Promise<unknown[]>

export async function pitchRoutes(app: FastifyInstance, opts: { referrals?: HolderReferrals; minutes?: HolderMinutes; selfExport?: SelfExport; journey?: HolderJourney } = {}) {
  const ctx = app.ctx
  // An archived platform's booking form answers 410, like its other public pages.
  app.addHook('preHandler', refuseArchivedPlatform)

  const open = (platform: Platform) => (s: Pick<SessionRow, 'status' | 'date'>) =>
    bookingOpen(s, todayIn(platform.timezone, ctx.clock()), platform.booking_close_days, addDays)

  async function target(request: FastifyRequest) {
    const { platform: slug, date } = request.params as { platform: string; date: string }
    const platform = await findPlatformBySlug(ctx.db, slug)
    const session = platform && isValidDate(date) ? await findSessionByDate(ctx.db, platform.id, date) : undefined
    if (!platform || !session || session.status === 'draft') return null
    return { platform, session }
  }

  async function renderBooking(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    const [communes, agenda] = await Promise.all([listCommunes(ctx.db, platform.id), listAgenda(ctx.db, session.id)])
    return page(request, reply, 'public/pitch-form.eta', {
      // How long a pitch lasts: the session's own agenda says (one figure, the form's and the agenda's).
      pitchMinutes: pitchMinutes(agenda),
      title: `Présenter une initiative — ${view.longDate}`, siteName: platform.name, homeHref: `/${platform.slug}`,
      platform, session: view, open: open(platform)(session), values, errors, communes, ...choices,
      action: `/${platform.slug}/sessions/${session.date}/pitch`,
    }, status)
  }

  app.get('/:platform/sessions/:date/pitch', async (request, reply) => {
    const t = await target(request)
    if (!t) return notFound(request, reply)
    return renderBooking(request, reply, t.platform, t.session, { attendance: 'on_site' }, {})
  })

  app.post('/:platform/sessions/:date/pitch', bookingLimits(app), async (request, reply) => {
    const t = await target(request)
    if (!t) return notFound(request, reply)
    const { platform, session } = t
    if (!open(platform)(session)) return renderBooking(request, reply, platform, session, request.body as Record<string, unknown>, {}, 409)
    const form = parseForm(bookingForm, request.body)
    // The commune list is only read when one was typed (living outside the territory leaves it empty).
    const commune = form.ok && form.data.commune ? communeNamed(await listCommunes(ctx.db, platform.id), form.data.commune) : null
    if (!form.ok || commune === undefined) {
      const errors = form.ok ? {} : form.errors
      if (commune === undefined) errors.commune = 'Choisissez votre commune dans la liste (ou laissez vide si vous habitez hors du territoire).'
      return renderBooking(request, reply, platform, session, form.values, errors, 400)
    }
    // The form's nonce is its CSRF token (checked already): each display of the form has its own, and a
    // double submit sends the same one again.
    const nonce = String((request.body as Record<string, unknown>)._csrf)
    try {
      const answer = await bookFromForm(ctx, platform, session.id, bookingRequest(form.data, commune?.id ?? null), open(platform), nonce)
      return reply.redirect(answer.kind === 'link' ? `/pitch/${answer.token}` : `/${platform.slug}/sessions/${session.date}/pitch/envoye`, 303)
    } catch (error) {
      if (error instanceof BookingClosedError) return renderBooking(request, reply, platform, session, form.values, {}, 409)
      throw error
    }
  })

  // "Vérifiez votre messagerie": the same page whether the address was known or not, and for everyone.
  app.get('/:platform/sessions/:date/pitch/envoye', async (request, reply) => {
    const t = await target(request)
    if (!t) return notFound(request, reply)
    const view = presentSession(t.platform, t.session, ctx.config.publicUrl, ctx.clock())
    return page(request, reply, 'public/pitch-sent.eta', {
      title: 'Vérifiez votre messagerie', siteName: t.platform.name, homeHref: `/${t.platform.slug}`, noindex: true,
      platform: t.platform, session: view,
    })
  })

  // The holder's link: unknown or altered tokens are 404, replaced or expired ones 410, before anything else
  // (and before CSRF). A valid link is never rate-limited.
  const loadPitch = linkOpener<OpenedPitch>(app, pitchLinks(ctx))
  const opened = (request: FastifyRequest) => openedLink<OpenedPitch>(request)

  async function renderHolder(request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown> | null, errors: FieldErrors, status = 200, notice: string | null = null) {
    const { token, target: { row: { pitch, session, fromEmail } } } = opened(request)
    const platform = await findPlatform(ctx.db, session.platform_id)
    const isOpen = open(platform)(session)
    const confirmed = addressConfirmed(pitch)
    const cancelled = session.status === 'cancelled'
    const later = isOpen || !isLive(pitch) || cancelled
      ? (await listSessions(ctx.db, platform.id, { from: addDays(session.date, 1), statuses: ['published'] })).filter(open(platform))
      : []
    // Only a booking confirmed from the holder's mailbox shows what else the holder has: someone else may
    // have typed the address of an unconfirmed one.
    const [initiatives, holder] = confirmed ? await Promise.all([holderInitiatives(ctx.db, pitch.holder_id), findHolder(ctx.db, pitch.holder_id)]) : [[], null]
    const openSessions = confirmed ? (await listSessions(ctx.db, platform.id, { from: todayIn(platform.timezone, ctx.clock()), statuses: ['published'] })).filter(open(platform)) : []
    const feedToken = holder ? holderFeedToken(ctx, holder) : null
    const feedUrl = feedToken && holder!.feed_token_hash === hashToken(feedToken) ? `${ctx.config.publicUrl}/feeds/${feedToken}.ics` : null
    const present = (s: SessionRow) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())
    return page(request, reply, 'public/pitch.eta', {
      initiatives, openSessions: openSessions.map(present),
      referrals: confirmed && opts.referrals ? await opts.referrals.list(ctx.db, pitch.initiative_id) : [],
      journey: confirmed && opts.journey ? await opts.journey(ctx.db, { initiativeId: pitch.initiative_id, holderId: pitch.holder_id, zone: platform.timezone, now: ctx.clock().toISOString() }) : [],
      minutes: confirmed && opts.minutes ? await opts.minutes(ctx.db, pitch.id, platform.timezone) : [],
      // "À revoir": a later session the facilitator offered on this pitch (revisit.ts), booked in one step below.
      revisit: confirmed ? await revisitOffer(ctx.db, pitch.id, todayIn(platform.timezone, ctx.clock())).then((o) => o && { ...o, session: present(o.session) }) : null,
      title: 'Ma présentation', siteName: platform.name, homeHref: `/${platform.slug}`, noindex: true,
      platform, pitch, session: present(session), cancelled,
      confirmed, fromEmail, lapsed: releasedUnconfirmed(pitch), holdUntil: pitch.hold_until ? holdDeadline(platform, pitch.hold_until) : null,
      slot: cancelled ? null : await slotTime(ctx.db, session, pitch.id), editable: isOpen && isLive(pitch),
      later: later.map(present), holder, feedUrl, feedWebcal: feedUrl?.replace(/^https?:/, 'webcal:') ?? null,
      // One page, several forms: a form sent back with errors keeps its values, the others show what is saved.
      values: {
        initiative_title: pitch.title, initiative_summary: pitch.summary, domain: pitch.domain ?? '', needs: pitch.needs ? pitch.needs.split(',') : [], stage: pitch.stage ?? '',
        public_title: pitch.public_title ? 'yes' : '', attendance: pitch.attendance_mode, holder_name: pitch.holder_name, holder_phone: pitch.holder_phone ?? '',
        ...values,
      },
      errors, notice, action: `/pitch/${token}`, ...choices,
    }, status)
  }

  app.get('/pitch/:token', { preHandler: loadPitch }, async (request, reply) => {
    const q = request.query as { done?: string }
    return renderHolder(request, reply, null, {}, 200, NOTICES[q.done ?? ''] ?? null)
  })

  // "Retirer ma présentation" first asks, saying what will be sent (writes nothing). Its form posts
  // action=withdraw with confirm=yes to /pitch/{token}; a POST of action=withdraw alone still withdraws (CONTRACT).
  app.get('/pitch/:token/retirer', { preHandler: loadPitch }, async (request, reply) => {
    const { token, target: { row: { pitch, session } } } = opened(request)
    const platform = await findPlatform(ctx.db, session.platform_id)
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    return page(request, reply, 'public/confirm-withdraw.eta', {
      title: 'Retirer ma présentation ?', siteName: platform.name, homeHref: `/${platform.slug}`, noindex: true,
      platform, pitch, session: view, live: isLive(pitch), calendar: pitch.status === 'confirmed', heldSlot: holdsSlot(pitch.status),
      reopen: open(platform)(session), action: `/pitch/${token}`,
    })
  })

  // "Mes données" (tracker 22): everything held about the holder, mailed to their own (confirmed) address by
  // privacy/ (handed in by app.ts); the page only says it was sent.
  app.post('/pitch/:token/mes-donnees', { preHandler: loadPitch }, async (request, reply) => {
    const { token, target: { row: { pitch, session } } } = opened(request)
    const holder = addressConfirmed(pitch) && opts.selfExport ? await findHolder(ctx.db, pitch.holder_id) : undefined
    if (!holder?.email) return reply.redirect(`/pitch/${token}`, 303)
    const done = await opts.selfExport!(await findPlatform(ctx.db, session.platform_id), { name: holder.name, email: holder.email })
    return reply.redirect(`/pitch/${token}?done=${done === 'sent' ? 'donnees' : 'donnees-deja'}`, 303)
  })

  app.post('/pitch/:token', { preHandler: loadPitch }, async (request, reply) => {
    const { token, target: { row: { pitch, session, fromEmail } } } = opened(request)
    const platform = await findPlatform(ctx.db, session.platform_id)
    const body = request.body as Record<string, unknown>
    const action = body?.action
    const isOpen = open(platform)(session)
    const done = (what: string) => reply.redirect(`/pitch/${token}?done=${what}`, 303)
    const confirmed = addressConfirmed(pitch)
    if (action === 'confirm') {
      // Only the emailed link confirms: the form's own answer (its link) proves nothing about the address.
      if (!fromEmail) return renderHolder(request, reply, null, { _form: 'Pour confirmer, ouvrez le lien reçu par e-mail.' }, 403)
      if (!confirmed && isLive(pitch)) await changePitch(ctx, platform, pitch.id, { kind: 'address' })
      return done('confirm')
    }
    if (action === 'withdraw') {
      if (isLive(pitch)) await changePitch(ctx, platform, pitch.id, { kind: 'withdraw' })
      return done('withdraw')
    }
    if (action === 'edit') {
      if (!isOpen || !isLive(pitch)) {
        return renderHolder(request, reply, body, { _form: 'Les inscriptions à cette séance sont closes : contactez l’animatrice pour tout changement.' }, 409)
      }
      const form = parseForm(initiativeEditForm, request.body)
      if (!form.ok) return renderHolder(request, reply, form.values, form.errors, 400)
      const d = form.data
      const now = ctx.clock().toISOString()
      await ctx.db.transaction().execute((trx) => updatePitchDetails(trx, pitch, {
        title: d.initiative_title, summary: d.initiative_summary, domain: d.domain, needs: d.needs, stage: d.stage, publicTitle: Boolean(d.public_title), attendance: d.attendance,
      }, now))
      return done('edit')
    }
    if (action === 'move') {
      const form = parseForm(moveRequestForm, request.body)
      const targetSession = form.ok ? await findSessionByDate(ctx.db, platform.id, form.data.session_date) : undefined
      if (!form.ok || !targetSession || targetSession.date <= session.date || !open(platform)(targetSession)) {
        return renderHolder(request, reply, null, { session_date: 'Choisissez une des séances proposées.' }, 400)
      }
      try {
        await changePitch(ctx, platform, pitch.id, { kind: 'move', toSessionId: targetSession.id })
      } catch (error) {
        if (error instanceof BookingClosedError) return renderHolder(request, reply, null, { session_date: 'Vous êtes déjà inscrit·e à cette séance.' }, 409)
        throw error
      }
      return done('move')
    }
    // What follows shows or changes the holder's other data: only from a booking their mailbox confirmed.
    if (!confirmed && (action === 'rebook' || action === 'feed' || action === 'details')) {
      return renderHolder(request, reply, null, { _form: 'Confirmez d’abord votre réservation depuis le lien reçu par e-mail.' }, 403)
    }
    if (action === 'rebook') {
      // A returning holder picks one of their initiatives and a session: a new booking, with its own link.
      const form = parseForm(rebookForm, request.body)
      const mine = form.ok ? (await holderInitiatives(ctx.db, pitch.holder_id)).find((i) => i.id === form.data.initiative_id) : undefined
      const target = form.ok ? await findSessionByDate(ctx.db, platform.id, form.data.session_date) : undefined
      if (!form.ok || !mine || !target || !open(platform)(target)) {
        return renderHolder(request, reply, null, { rebook: 'Choisissez une de vos initiatives et une des réunions proposées.' }, 400)
      }
      const holder = await findHolder(ctx.db, pitch.holder_id)
      const result = await bookPitch(ctx, platform, target.id, {
        holder: { name: holder.name, email: holder.email, phone: holder.phone, kind: holder.kind, commune_id: holder.commune_id },
        initiative: { title: mine.title, summary: mine.summary, domain: mine.domain, needs: mine.needs ? mine.needs.split(',') : [], stage: mine.stage, commune_id: mine.commune_id },
        attendance: pitch.attendance_mode, publicTitle: pitch.public_title === 1,
      }, open(platform))
      return reply.redirect(`/pitch/${result.token}`, 303)
    }
    if (action === 'revisit') {
      const booked = await bookRevisit(ctx, platform, pitch.id, todayIn(platform.timezone, ctx.clock()))
      if (!booked) return renderHolder(request, reply, null, { _form: "Cette proposition n'est plus disponible : écrivez à l'animatrice." }, 409)
      return reply.redirect(`/pitch/${booked.token}`, 303)
    }
    if (action === 'feed') {
      await replaceHolderFeed(ctx, pitch.holder_id)
      return reply.redirect(`/pitch/${token}?done=feed#agenda`, 303)
    }
    if (action === 'details') {
      const form = parseForm(holderDetailsForm, request.body)
      if (!form.ok) return renderHolder(request, reply, form.values, form.errors, 400)
      await updateHolderDetails(ctx.db, pitch.holder_id, { name: form.data.holder_name, phone: form.data.holder_phone }, ctx.clock().toISOString())
      return done('details')
    }
    if (action === 'share_contact' && opts.referrals) {
      // One referral of this initiative at a time, from a booking the holder's mailbox confirmed.
      const form = parseForm(shareContactForm, body)
      const shared = confirmed && form.ok && await opts.referrals.share(ctx.db, { referralId: form.data.referral_id, initiativeId: pitch.initiative_id, holderName: pitch.holder_name }, ctx.clock().toISOString())
      if (!shared) return renderHolder(request, reply, null, { referrals: 'Cette orientation ne peut pas recevoir vos coordonnées (déjà transmises, ou elle ne concerne pas votre initiative).' }, 400)
      return reply.redirect(`/pitch/${token}?done=share#orientations`, 303)
    }
    return renderHolder(request, reply, null, { _form: 'Action inconnue.' }, 400)
  })
}
