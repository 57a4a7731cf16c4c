import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { adviceAuthor, adviceOfPitches, deleteAdvice, findAdviceOn, updateAdviceBody } from '../partners/advice.js'
import { STAGES } from '../pitches/forms.js'
import { STATUS_LABELS } from '../referrals/status.js'
import { lockSession } from '../sessions/store.js'
import { presentSession } from '../sessions/view.js'
import { notFound } from '../web/errors.js'
import type { FieldErrors } from '../web/forms.js'
import { page } from '../web/views.js'
import { ADVICE_ROWS, parseAdviceEdit, parseRecord, REFERRAL_ROWS } from './forms.js'
import { revisitChoices, savePitch } from './pitch-record.js'
import { heldPitches, platformContacts, platformPartners, referralsOfPitches } from './reads.js'
import { selectOptions } from './options.js'
import { rollOf } from './roll.js'
import { pitchRecords } from './store.js'
import { pageCommon, recordTarget, type RecordTarget } from './target.js'

// Each pitch of the session, in agenda order, one form per pitch (a phone saves one at a time): summary,
// advice, referrals, next steps, stage, "à revoir". Registered inside the /admin/p/:slug scope (app.ts).

const ADVICE_DONE: Record<string, string> = { edited: 'Conseil corrigé.', deleted: 'Conseil supprimé.' }

export async function recordRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function renderRecord(request: FastifyRequest, reply: FastifyReply, t: RecordTarget, options: { pitchId?: number; values?: Record<string, unknown>; errors?: FieldErrors; stale?: boolean; status?: number; advice?: { id: number; body: string; error: string } } = {}) {
    const db = ctx.db
    const { people, pitches } = await rollOf(db, t.session.id)
    const ids = pitches.map((p) => p.id)
    const [records, advice, referrals, partners, contacts, later] = await Promise.all([
      pitchRecords(db, ids), adviceOfPitches(db, ids), referralsOfPitches(db, ids), platformPartners(db, t.platform.id),
      platformContacts(db, t.platform.id), revisitChoices(db, t.platform, t.session, t.today),
    ])
    const c = pageCommon(ctx, t.platform, t.session)
    const present = people.filter((p) => p.presence === 'on_site' || p.presence === 'remote').filter((p) => p.holderId === null)
      .map((p) => ({ value: p.contactId !== null ? `contact:${p.contactId}` : `walkin:${p.key.slice(1)}`, label: p.organisation ? `${p.name} (${p.organisation})` : p.name }))
    const laterById = new Map(later.map((s) => [s.id, s]))
    // The long lists every form repeats, escaped once for the page (options.ts).
    const contactsOf = new Map<number, typeof contacts>()
    for (const c of contacts) {
      const list = contactsOf.get(c.partnerId)
      if (list) list.push(c)
      else contactsOf.set(c.partnerId, [c])
    }
    const lists = {
      who: selectOptions([
        ...(present.length ? [{ group: 'Personnes présentes', choices: present }] : []),
        { group: 'Organisations', choices: partners.map((o) => ({ value: `partner:${o.id}`, label: o.name })) },
        { value: 'name', label: 'Une autre personne (nom ci-dessous)' },
      ]),
      partner: selectOptions(partners.map((o) => ({ value: String(o.id), label: o.name }))),
      contact: selectOptions(partners.filter((o) => contactsOf.has(o.id))
        .map((o) => ({ group: o.name, choices: contactsOf.get(o.id)!.map((c) => ({ value: String(c.id), label: c.name })) }))),
    }
    const items = pitches.map((p) => {
      const r = records.find((x) => x.pitch_id === p.id)
      const saved = {
        pitch_id: String(p.id), version: String(r?.version ?? 0), summary: r?.summary ?? '', next_steps: r?.next_steps ?? '',
        stage_after: r?.stage_after ?? '', revisit: r?.revisit ? 'yes' : '', revisit_session: r?.revisit_session_id ? laterById.get(r.revisit_session_id)?.date ?? '' : '',
      }
      const mine = options.pitchId === p.id
      return {
        pitch: p, record: r, values: mine ? { ...saved, ...options.values, version: saved.version } : saved, errors: mine ? options.errors ?? {} : {}, stale: mine && options.stale,
        advice: advice.filter((a) => a.pitchId === p.id).map((a) => ({
          ...a, author: adviceAuthor(a),
          draft: options.advice?.id === a.id ? options.advice.body : a.body, error: options.advice?.id === a.id ? options.advice.error : null,
        })),
        referrals: referrals.filter((x) => x.pitchId === p.id).map((x) => ({ ...x, statusLabel: STATUS_LABELS[x.status] })),
      }
    })
    return page(request, reply, 'admin/record/pitches.eta', {
      ...c, title: `Compte rendu des présentations — séance du ${c.day}`, open: t.open, items, present, partners, contacts, STAGES,
      later: later.map((s) => ({ date: s.date, label: presentSession(t.platform, s, ctx.config.publicUrl, ctx.clock()).longDate })),
      ADVICE_ROWS, REFERRAL_ROWS, lists, savedId: Number((request.query as { saved?: string }).saved) || null,
      adviceDone: ADVICE_DONE[(request.query as { advice?: string }).advice ?? ''] ?? null,
      errors: options.errors ?? {},
    }, options.status ?? 200)
  }

  app.get('/sessions/:date/record', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    return renderRecord(request, reply, t)
  })

  app.post('/sessions/:date/record', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    const values = { ...(request.body as Record<string, unknown>) }
    const pitchId = Number(values.pitch_id) || undefined
    if (!t.open) return renderRecord(request, reply, t, { pitchId, values, errors: { _form: 'Le compte rendu se remplit à partir du jour de la séance.' }, status: 409 })
    const form = parseRecord(request.body)
    if (!form.ok) return renderRecord(request, reply, t, { pitchId, values, errors: form.errors, status: 400 })
    const outcome = await savePitch(ctx, t.platform, t.session, form.data, request.login?.facilitatorId ?? null, t.today)
    if (outcome.kind === 'invalid') return renderRecord(request, reply, t, { pitchId, values, errors: outcome.errors, status: 400 })
    if (outcome.kind === 'stale') return renderRecord(request, reply, t, { pitchId, values, stale: true, status: 409 })
    return reply.redirect(`${pageCommon(ctx, t.platform, t.session).here}/record?saved=${form.data.pitch_id}#pitch-${form.data.pitch_id}`, 303)
  })

  // A piece of advice corrected or removed from the record page (partners/advice.ts writes it): one pitch of
  // this session's agenda, never another session's; written advice (a partner's own words) is only removed.
  app.post('/sessions/:date/record/advice/:adviceId', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    const { adviceId: id } = request.params as { adviceId: string }
    if (!t || !/^[1-9]\d{0,8}$/.test(id)) return notFound(request, reply)
    if (!t.open) return renderRecord(request, reply, t, { errors: { _form: 'Le compte rendu se remplit à partir du jour de la séance.' }, status: 409 })
    const form = parseAdviceEdit(request.body)
    if (!form.ok && !(request.body as Record<string, unknown> | undefined)?.action) return renderRecord(request, reply, t, { errors: { _form: form.error }, status: 400 })
    const outcome = await ctx.db.transaction().execute(async (trx) => {
      await lockSession(trx, t.session.id)
      const held = (await heldPitches(trx, t.session.id)).map((p) => p.id)
      const advice = await findAdviceOn(trx, Number(id), held)
      if (!advice) return { kind: 'missing' as const }
      if (!form.ok) return { kind: 'invalid' as const, advice, error: form.error }
      if (form.data.action === 'delete') {
        await deleteAdvice(trx, advice.id)
        return { kind: 'done' as const, advice, what: 'deleted' }
      }
      if (advice.source !== 'table') return { kind: 'invalid' as const, advice, error: "Un avis écrit par un partenaire ne se modifie pas : vous pouvez seulement le supprimer." }
      await updateAdviceBody(trx, advice.id, form.data.body)
      return { kind: 'done' as const, advice, what: 'edited' }
    })
    if (outcome.kind === 'missing') return notFound(request, reply)
    if (outcome.kind === 'invalid') {
      const body = String((request.body as Record<string, unknown> | undefined)?.body ?? '')
      return renderRecord(request, reply, t, { advice: { id: outcome.advice.id, body, error: outcome.error }, status: 400 })
    }
    return reply.redirect(`${pageCommon(ctx, t.platform, t.session).here}/record?advice=${outcome.what}#pitch-${outcome.advice.pitchId}`, 303)
  })
}
