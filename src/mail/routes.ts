import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import type { Db, OutboxRow, OutboxStatus, Platform } from '../db/schema.js'
import { notFound } from '../web/errors.js'
import { page } from '../web/views.js'
import { KIND_LABELS } from './kinds.js'
import { withLinks } from './links.js'
import { BODY_RETENTION_DAYS, findOutbox, hasNewerInThread, isPurged, listOutbox, OUTBOX_STATUSES, outboxCounts, requeue } from './outbox.js'
import { type CalendarCheck, resendRefusal } from './resend.js'
import { outboxFolder } from './transport.js'

// The facilitator's "Courriers" page: every message of the platform, what became of it, and a way to
// send a failed one again. Messages are shown as they were sent: with their personal links written in.

const PAGE_SIZE = 50

export const STATUS_LABELS: Record<OutboxStatus, string> = {
  queued: 'en attente',
  sending: "en cours d'envoi",
  sent: 'envoyé',
  failed: 'échec',
  superseded: 'remplacé',
}

// The stored HTML is shown in a sandboxed frame of our own origin: no script, no request out, nothing but
// inline styles (the email's own).
const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"

type Params = { slug: string; id?: string }

function kindLabel(kind: string): string {
  return Object.hasOwn(KIND_LABELS, kind) ? KIND_LABELS[kind as keyof typeof KIND_LABELS] : kind
}

function whenIn(zone: string) {
  return (iso: string | null) => (iso ? DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat("dd/LL/yyyy 'à' HH'h'mm") : '')
}

function pageNumber(value: unknown): number {
  const n = typeof value === 'string' ? Number.parseInt(value, 10) : 1
  return Number.isFinite(n) && n >= 1 && n <= 100_000 ? n : 1
}

function statusFilter(value: unknown): OutboxStatus | undefined {
  return OUTBOX_STATUSES.find((s) => s === value)
}

export interface MailRoutesOptions {
  /** What a calendar message's session says now ("Renvoyer" refuses an outdated one). */
  calendarCheck: CalendarCheck
  /** The calendar answers read from the ORGANIZER mailbox, shown on the page (replies/; absent: not shown). */
  repliesPanel?: (db: Db, platform: Platform) => Promise<object>
}

/**
 * The platform of the URL: registered inside app.ts's /admin/p/:slug scope, whose one preHandler
 * (platforms/access.ts) has checked the login and that this facilitator manages it (404 otherwise).
 */
function scopedPlatform(request: FastifyRequest): Platform {
  if (!request.platform) throw new Error('mail/routes.ts: register it inside the /admin/p/:slug scope')
  return request.platform
}

export async function mailRoutes(app: FastifyInstance, options: MailRoutesOptions) {
  const ctx = app.ctx

  /** The platform and the message, or null when the message is unknown or not this platform's. */
  async function loadMessage(request: FastifyRequest<{ Params: Params }>) {
    const platform = scopedPlatform(request)
    const id = /^\d{1,15}$/.test(request.params.id ?? '') ? Number(request.params.id) : 0
    if (id < 1) return null
    const row = await findOutbox(ctx.db, platform.id, id)
    return row ? { platform, row } : null
  }

  const base = (p: Platform) => `/admin/p/${encodeURIComponent(p.slug)}`
  const mailBase = (p: Platform) => `${base(p)}/courriers`

  app.get<{ Params: Params; Querystring: { page?: string; statut?: string } }>('/courriers', async (request, reply) => {
    const platform = scopedPlatform(request)
    const current = pageNumber(request.query.page)
    const status = statusFilter(request.query.statut)
    const [rows, counts] = await Promise.all([
      listOutbox(ctx.db, platform.id, { limit: PAGE_SIZE + 1, offset: (current - 1) * PAGE_SIZE, status }),
      outboxCounts(ctx.db, platform.id),
    ])
    const replies = options.repliesPanel ? await options.repliesPanel(ctx.db, platform) : null
    return page(request, reply, 'admin/mail-list.eta', {
      title: `Courriers · ${platform.name}`,
      noindex: true,
      platform,
      base: base(platform),
      mailBase: mailBase(platform),
      rows: rows.slice(0, PAGE_SIZE),
      hasNext: rows.length > PAGE_SIZE,
      page: current,
      status: status ?? null,
      counts,
      statuses: OUTBOX_STATUSES,
      statusLabels: STATUS_LABELS,
      kindLabel,
      when: whenIn(platform.timezone),
      smtp: ctx.config.smtpUrl !== null,
      folder: outboxFolder(ctx.config.dataDir),
      replies,
    })
  })

  function showMessage(request: FastifyRequest, reply: FastifyReply, platform: Platform, row: OutboxRow, refusal: string | null = null) {
    return page(request, reply, 'admin/mail-show.eta', {
      title: `Courrier n° ${row.id} · ${platform.name}`,
      noindex: true,
      platform,
      base: base(platform),
      mailBase: mailBase(platform),
      row: withLinks(row, ctx.config),
      purged: isPurged(row),
      retentionDays: BODY_RETENTION_DAYS,
      refusal,
      statusLabels: STATUS_LABELS,
      kindLabel,
      when: whenIn(platform.timezone),
    }, refusal ? 409 : 200)
  }

  app.get<{ Params: Params }>('/courriers/:id', async (request, reply) => {
    const found = await loadMessage(request)
    if (!found) return notFound(request, reply)
    return showMessage(request, reply, found.platform, found.row)
  })

  app.get<{ Params: Params }>('/courriers/:id/html', async (request, reply) => {
    const found = await loadMessage(request)
    if (!found) return notFound(request, reply)
    // Set on the reply after the security headers' onRequest hook wrote its own: Fastify sends these values instead.
    return reply
      .header('content-security-policy', HTML_CSP)
      .header('x-frame-options', 'SAMEORIGIN')
      .type('text/html; charset=utf-8')
      .send(withLinks(found.row, ctx.config).html_body)
  })

  app.get<{ Params: Params }>('/courriers/:id/invitation.ics', async (request, reply) => {
    const found = await loadMessage(request)
    if (!found?.row.ical || !found.row.ical_method) return notFound(request, reply)
    return reply
      .type(`text/calendar; charset=utf-8; method=${found.row.ical_method}`)
      .header('content-disposition', `attachment; filename="courrier-${found.row.id}-invitation.ics"`)
      .send(found.row.ical)
  })

  app.post<{ Params: Params }>('/courriers/:id/resend', async (request, reply) => {
    const found = await loadMessage(request)
    if (!found) return notFound(request, reply)
    const { platform, row } = found
    const refusal = await whyNotResend(row)
    // requeue checks the thread and the purge again in its own statement: a newer message may have come.
    const done = refusal === null && await requeue(ctx.db, row.id, ctx.clock().toISOString())
    request.log.info({ outbox: row.id, requeued: done }, 'mail resend')
    if (done) return reply.redirect(mailBase(platform), 303)
    const fresh = (await findOutbox(ctx.db, platform.id, row.id)) ?? row
    return showMessage(request, reply, platform, fresh, refusal ?? await whyNotResend(fresh) ?? 'Ce courrier ne peut plus être renvoyé : son état a changé entre-temps.')
  })

  async function whyNotResend(row: OutboxRow): Promise<string | null> {
    const calendar = row.ical_method && row.session_id !== null && !isPurged(row) ? await options.calendarCheck(ctx.db, row) : null
    return resendRefusal(row, { newerInThread: await hasNewerInThread(ctx.db, row), calendar })
  }
}
