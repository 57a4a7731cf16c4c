import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { teamContact } from '../partners/invitations.js'
import { archivedName } from '../platforms/access.js'
import { findPlatform } from '../platforms/store.js'
import { errorPage } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { type GoneReason, linkOpener, openedLink } from '../web/personal-links.js'
import { page } from '../web/views.js'
import { partnerStatusForm } from './forms.js'
import { presentReferral, statusChoices } from './present.js'
import { findReferralByTokenHash, type LinkReferral, openReferralsOfPartner } from './reads.js'
import { setReferralStatus } from './store.js'

// The partner's personal link, /referrals/{token}: every open referral made to their organisation, each with
// a form to say where it stands (POST + CSRF). Opened by web/personal-links.ts like /rsvp/: a guess answers
// 404 before any CSRF check, a replaced link 410; opening it (GET, HEAD) writes nothing. The holder's contact
// details are shown only for a referral the holder agreed to share them on.

interface Opened { referral: LinkReferral; platform: Platform }

export async function referralLinkRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function gone(request: FastifyRequest, reply: FastifyReply, _reason: GoneReason, platformId: number) {
    const platform = await findPlatform(ctx.db, platformId)
    return errorPage(request, reply, 410, 'Ce lien a été remplacé',
      `Un nouveau lien pour suivre les orientations faites vers votre organisation vous a été envoyé par e-mail : utilisez le message le plus récent. Si vous ne le retrouvez pas, écrivez à ${teamContact(platform)}, qui vous le renverra.`)
  }

  const preHandler = linkOpener<Opened>(app, {
    purpose: 'referral',
    find: async (db, hash) => {
      const referral = await findReferralByTokenHash(db, hash)
      if (!referral) return undefined
      const platform = await findPlatform(db, referral.platform_id)
      return { row: { referral, platform }, platformId: platform.id, endsAt: null, archivedPlatform: archivedName(platform) }
    },
    gone,
  })

  interface Forms { referralId?: number; values?: Record<string, unknown>; errors?: FieldErrors; saved?: boolean }

  async function render(request: FastifyRequest, reply: FastifyReply, forms: Forms = {}, status = 200) {
    const { token, target: { row: { referral, platform } } } = openedLink<Opened>(request)
    const today = todayIn(platform.timezone, ctx.clock())
    const referrals = (await openReferralsOfPartner(ctx.db, referral.partner_id)).map((r) => ({
      ...presentReferral(r, today),
      choices: statusChoices(r.status, 'partner'),
      // Never the holder's details without their consent, whatever the query joined.
      holder: r.share_contact ? { name: r.holder_name, email: r.holder_email, phone: r.holder_phone } : null,
    }))
    const saved = (request.query as { enregistre?: string }).enregistre
    return page(request, reply, 'referral.eta', {
      title: `Orientations vers ${referral.partner_name}`, siteName: platform.name, homeHref: `/${platform.slug}`, noindex: true,
      action: `/referrals/${token}`, platform, organisation: referral.partner_name, referrals, contact: teamContact(platform),
      formFor: forms.referralId ?? null, values: forms.values ?? {}, errors: forms.errors ?? {},
      saved: typeof saved === 'string' && /^\d{1,9}$/.test(saved) ? Number(saved) : null,
    }, status)
  }

  app.get('/referrals/:token', { preHandler }, async (request, reply) => render(request, reply))

  app.post('/referrals/:token', { preHandler }, async (request, reply) => {
    const { token, target: { row: { referral } } } = openedLink<Opened>(request)
    const form = parseForm(partnerStatusForm, request.body)
    const askedId = Number(form.values.referral_id)
    const referralId = Number.isInteger(askedId) ? askedId : undefined
    if (!form.ok) return render(request, reply, { referralId, values: form.values, errors: form.errors }, 400)
    // Only a referral to this link's organisation, and still open: anything else is not on this page.
    const open = await openReferralsOfPartner(ctx.db, referral.partner_id)
    const target = open.find((r) => r.id === form.data.referral_id)
    if (!target) {
      return render(request, reply, { values: form.values, errors: { _form: "Cette orientation n'est pas (ou plus) suivie depuis ce lien." } }, 400)
    }
    const outcome = await ctx.db.transaction().execute((trx) => setReferralStatus(ctx, trx, {
      referralId: target.id, status: form.data.status, note: form.data.note,
      by: { kind: 'partner', contactId: referral.contact_id, name: form.data.by_name },
    }, ctx.clock().toISOString()))
    if (outcome.kind === 'not-allowed') {
      return render(request, reply, { referralId: target.id, values: form.values, errors: { status: "Ce changement n'est pas possible depuis le statut actuel." } }, 400)
    }
    if (outcome.kind === 'unchanged' && !form.data.note && form.data.status === target.status) {
      return render(request, reply, { referralId: target.id, values: form.values, errors: { note: 'Choisissez un nouveau statut ou écrivez un mot.' } }, 400)
    }
    return reply.redirect(`/referrals/${token}?enregistre=${target.id}#orientation-${target.id}`, 303)
  })
}
