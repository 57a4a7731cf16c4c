import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { pageCommon, recordTarget, type RecordTarget } from '../record/target.js'
import { presentSession } from '../sessions/view.js'
import { notFound } from '../web/errors.js'
import type { FieldErrors } from '../web/forms.js'
import { page } from '../web/views.js'
import { holderView, parseDocument, partnersView } from './document.js'
import { parseDraft, parseSend } from './forms.js'
import { gatherMinutes } from './gather.js'
import { minutesMail, minutesRecipients, sendMinutes } from './send.js'
import { saveDraft, sentVersions } from './store.js'

// The minutes of a session, for the facilitator (inside the /admin/p/:slug scope, app.ts): the draft (the
// introduction, each pitch's text), the preview of what each reader receives, the send button, every version
// sent, and the A4 print view. A GET writes nothing; the draft and the send are POSTs with CSRF.

export async function minutesRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function current(t: RecordTarget) {
    const view = presentSession(t.platform, t.session, ctx.config.publicUrl, ctx.clock())
    const gathered = await gatherMinutes(ctx.db, t.platform, t.session, view)
    const [versions, recipients] = await Promise.all([sentVersions(ctx.db, t.session.id), minutesRecipients(ctx, ctx.db, t.platform, t.session.id, gathered.doc)])
    return { view, gathered, versions, recipients }
  }

  async function render(request: FastifyRequest, reply: FastifyReply, t: RecordTarget, options: { values?: Record<string, unknown>; errors?: FieldErrors; status?: number } = {}) {
    const { gathered, versions, recipients } = await current(t)
    const c = pageCommon(ctx, t.platform, t.session)
    const q = request.query as { saved?: string; sent?: string; already?: string }
    const sent = versions.find((v) => String(v.version) === q.sent) ?? null
    const values: Record<string, unknown> = options.values ?? {
      intro: gathered.intro ?? '',
      ...Object.fromEntries(gathered.doc.pitches.map((p) => [`text_${p.pitchId}`, gathered.drafted.get(p.pitchId) ?? gathered.summaries.get(p.pitchId) ?? ''])),
    }
    return page(request, reply, 'admin/minutes.eta', {
      ...c, title: `Compte rendu — séance du ${c.day}`, open: t.open, doc: gathered.doc, versions, values, errors: options.errors ?? {},
      next: (versions[0]?.version ?? 0) + 1, partners: recipients.partners.length, holders: recipients.holders.length,
      saved: q.saved === '1', sent, already: q.already === '1',
    }, options.status ?? 200)
  }

  app.get('/sessions/:date/minutes', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    return render(request, reply, t)
  })

  app.post('/sessions/:date/minutes', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    const view = presentSession(t.platform, t.session, ctx.config.publicUrl, ctx.clock())
    const { summaries } = await gatherMinutes(ctx.db, t.platform, t.session, view)
    const form = parseDraft(request.body, summaries)
    const values = { ...(request.body as Record<string, unknown>) }
    if (!form.ok) return render(request, reply, t, { values, errors: form.errors, status: 400 })
    const by = request.login?.facilitatorId ?? null
    await ctx.db.transaction().execute((trx) => saveDraft(trx, t.session.id, form.data, by, ctx.clock().toISOString()))
    return reply.redirect(`${pageCommon(ctx, t.platform, t.session).here}/minutes?saved=1`, 303)
  })

  // Exactly what each reader will receive if sent now (the partners' message, then each holder's), but the personal link,
  // which is written in as the message leaves.
  app.get('/sessions/:date/minutes/preview', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    const { view, gathered: { doc }, versions, recipients } = await current(t)
    const version = (versions[0]?.version ?? 0) + 1
    const sample = { name: 'Prénom Nom', email: 'partenaire@example.org', link: null }
    const partnersMail = minutesMail(ctx, t.platform, view, partnersView(doc), version, { ...(recipients.partners[0] ?? sample), link: null })
    const holders = doc.pitches.map((p) => {
      const to = recipients.holders.find((h) => h.pitchId === p.pitchId)
      const mail = minutesMail(ctx, t.platform, view, holderView(doc, p.pitchId)!, version, { name: p.holderName, email: to?.email ?? 'porteur@example.org', link: null, forwardNote: to?.forwardNote })
      return { pitchId: p.pitchId, title: p.title, holderName: p.holderName, email: to?.email ?? null, viaMailbox: Boolean(to?.forwardNote), mail }
    })
    const c = pageCommon(ctx, t.platform, t.session)
    return page(request, reply, 'admin/minutes-preview.eta', {
      ...c, title: `Aperçu du compte rendu — séance du ${c.day}`, version, partnersMail, holders, partners: recipients.partners, hasPitches: doc.pitches.length > 0,
    })
  })

  app.post('/sessions/:date/minutes/send', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    const version = parseSend(request.body)
    if (version === null) return render(request, reply, t, { errors: { _form: 'Formulaire invalide : rechargez la page.' }, status: 400 })
    if (!t.open) return render(request, reply, t, { errors: { _form: "Le compte rendu s'envoie à partir du jour de la séance." }, status: 409 })
    const outcome = await sendMinutes(ctx, t.platform, t.session, version, request.login?.facilitatorId ?? null)
    const here = `${pageCommon(ctx, t.platform, t.session).here}/minutes`
    if (outcome.kind === 'empty') return render(request, reply, t, { errors: { _form: 'Aucune présentation confirmée à cette séance : il n’y a pas de compte rendu à envoyer.' }, status: 409 })
    if (outcome.kind === 'already') return reply.redirect(`${here}?already=1`, 303)
    return reply.redirect(`${here}?sent=${outcome.version}`, 303)
  })

  // A4: a sent version (?version=N, default the latest) as partners received it, or the draft before any; with
  // ?pitch=ID, that holder's own part (for a holder without an email address).
  app.get('/sessions/:date/minutes/print', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    const versions = await sentVersions(ctx.db, t.session.id)
    const q = request.query as { version?: string; pitch?: string }
    const asked = Number(q.version)
    const chosen = versions.find((v) => v.version === asked) ?? versions[0]
    const doc = chosen ? parseDocument(chosen.document) : (await current(t)).gathered.doc
    const c = pageCommon(ctx, t.platform, t.session)
    return page(request, reply, 'print/minutes.eta', {
      ...c, title: `Compte rendu — ${c.session.longDate}`, minutes: (q.pitch && holderView(doc, Number(q.pitch))) || partnersView(doc), version: chosen?.version ?? null, back: `${c.here}/minutes`,
    })
  })
}
