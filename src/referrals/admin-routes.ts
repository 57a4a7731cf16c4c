import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { facilitatorStatusForm, filterQuery } from './forms.js'
import { byUrgency, pageOf, presentReferral, statusChoices, whenLabel } from './present.js'
import { findReferralLink, platformReferral, platformReferrals, referralFilterChoices, referralHistory } from './reads.js'
import { isOverdue, REFERRAL_STATUSES, STATUS_LABELS } from './status.js'
import { replaceReferralLink, setReferralStatus } from './store.js'

// The facilitator's "Orientations" page (/admin/p/{slug}/referrals): every open referral of the platform,
// overdue follow-ups first, filtered by organisation, initiative or status; one referral's dated history and
// a status change. Registered inside the /admin/p/:slug scope (app.ts): login and platform checked there.

const WHO: Record<string, string> = { facilitator: "l'équipe d'animation", partner: 'le partenaire', holder: 'le porteur ou la porteuse' }
/** The status filter's options. */
const STATUSES = REFERRAL_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }))

export async function referralAdminRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  app.get('/referrals', async (request, reply) => {
    const platform = platformOf(request)
    const query = parseForm(filterQuery, request.query)
    const filter = query.ok ? query.data : { partenaire: null, initiative: null, statut: null, page: null }
    const today = todayIn(platform.timezone, ctx.clock())
    const [rows, choices] = await Promise.all([
      platformReferrals(ctx.db, platform.id, { partnerId: filter.partenaire, initiativeId: filter.initiative, status: filter.statut }),
      referralFilterChoices(ctx.db, platform.id),
    ])
    // Sorted whole (overdue first), then one page of it is shown: only that page is dressed for the page.
    const sorted = rows.map((r) => ({ ...r, overdue: isOverdue(r, today) })).sort(byUrgency)
    const shown = pageOf(sorted, filter.page ?? 1)
    const filters = new URLSearchParams(Object.entries({ partenaire: filter.partenaire, initiative: filter.initiative, statut: filter.statut })
      .filter(([, v]) => v !== null).map(([k, v]): [string, string] => [k, String(v)]))
    const pageLink = (n: number) => {
      const q = new URLSearchParams(filters)
      q.set('page', String(n))
      return `${platformBase(platform)}/referrals?${q}`
    }
    return page(request, reply, 'admin/referrals.eta', {
      title: 'Orientations', platform, base: platformBase(platform), referrals: shown.rows.map((r) => presentReferral(r, today)),
      total: sorted.length, shown: { ...shown, last: shown.first + shown.rows.length - 1 },
      next: shown.page < shown.pages ? pageLink(shown.page + 1) : null, previous: shown.page > 1 ? pageLink(shown.page - 1) : null,
      choices, filter, values: query.values, errors: query.ok ? {} : query.errors, STATUSES,
      overdue: sorted.filter((x) => x.overdue).length,
    }, query.ok ? 200 : 400)
  })

  async function renderOne(request: FastifyRequest, reply: FastifyReply, platform: Platform, referralId: number, form: { values?: Record<string, unknown>; errors?: FieldErrors } = {}, status = 200) {
    const row = await platformReferral(ctx.db, platform.id, referralId)
    if (!row) return notFound(request, reply)
    const today = todayIn(platform.timezone, ctx.clock())
    const history = (await referralHistory(ctx.db, row.id)).map((h) => ({
      ...h, when: whenLabel(h.created_at, platform.timezone), statusLabel: h.status ? STATUS_LABELS[h.status] : null,
      who: h.facilitator_name ?? h.contact_name ?? h.by_name ?? WHO[h.by_kind] ?? h.by_kind,
      whoKind: WHO[h.by_kind] ?? h.by_kind,
    }))
    const referral = presentReferral(row, today)
    return page(request, reply, 'admin/referrals-detail.eta', {
      title: `Orientation : ${row.initiative_title} → ${row.partner_name}`, platform, base: platformBase(platform), referral, history,
      choices: statusChoices(row.status, 'facilitator'), values: form.values ?? {}, errors: form.errors ?? {},
      reminded: row.reminded_at ? whenLabel(row.reminded_at, platform.timezone) : null,
      saved: (request.query as { enregistre?: string }).enregistre === '1',
      linkSent: (request.query as { lien?: string }).lien === '1',
    }, status)
  }

  const idOf = (request: FastifyRequest) => {
    const raw = (request.params as { referralId: string }).referralId
    return /^\d{1,9}$/.test(raw) ? Number(raw) : null
  }

  app.get('/referrals/:referralId', async (request, reply) => {
    const id = idOf(request)
    if (id === null) return notFound(request, reply)
    return renderOne(request, reply, platformOf(request), id)
  })

  app.post('/referrals/:referralId', async (request, reply) => {
    const platform = platformOf(request)
    const id = idOf(request)
    const row = id === null ? undefined : await platformReferral(ctx.db, platform.id, id)
    if (!row) return notFound(request, reply)
    const form = parseForm(facilitatorStatusForm, request.body)
    if (!form.ok) return renderOne(request, reply, platform, row.id, { values: form.values, errors: form.errors }, 400)
    const outcome = await ctx.db.transaction().execute((trx) => setReferralStatus(ctx, trx, {
      referralId: row.id, status: form.data.status, note: form.data.note,
      by: { kind: 'facilitator', facilitatorId: request.login?.facilitatorId ?? null },
    }, ctx.clock().toISOString()))
    if (outcome.kind === 'not-allowed') {
      return renderOne(request, reply, platform, row.id, { values: form.values, errors: { status: "Ce changement n'est pas possible depuis le statut actuel." } }, 400)
    }
    if (outcome.kind === 'unchanged' && form.data.status === row.status) {
      return renderOne(request, reply, platform, row.id, { values: form.values, errors: { note: 'Choisissez un nouveau statut ou écrivez un mot.' } }, 400)
    }
    return reply.redirect(`${platformBase(platform)}/referrals/${row.id}?enregistre=1`, 303)
  })

  // "Envoyer un nouveau lien": the partner's old link answers 410, the referral's email goes again.
  app.post('/referrals/:referralId/link', async (request, reply) => {
    const platform = platformOf(request)
    const id = idOf(request)
    const row = id === null ? undefined : await platformReferral(ctx.db, platform.id, id)
    if (!row) return notFound(request, reply)
    if ((request.body as Record<string, unknown> | undefined)?.confirm !== 'yes') {
      return renderOne(request, reply, platform, row.id, { errors: { _form: 'Confirmez l’envoi d’un nouveau lien avec le bouton prévu.' } }, 400)
    }
    await ctx.db.transaction().execute(async (trx) => replaceReferralLink(ctx, trx, await findReferralLink(trx, row.id), ctx.clock().toISOString()))
    return reply.redirect(`${platformBase(platform)}/referrals/${row.id}?lien=1`, 303)
  })
}
