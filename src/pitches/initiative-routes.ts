import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatShortDate } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { listCommunes } from '../platforms/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { attachHolderForm, ideaForm, mergeForm } from './admin-forms.js'
import { ID, labels, when } from './admin-pages.js'
import { NEEDS } from './forms.js'
import {
  attachHolder, findInitiative, initiativeChoices, type InitiativeRow, initiativeHolders, initiativePitches, insertIdea, listInitiatives, mergedInto,
  mergeInitiative,
} from './initiatives.js'

// Initiatives across sessions: the list (and those without a holder), an idea noted before anyone carries
// it, one initiative's page, attaching a holder, and merging a duplicate into the one kept.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function initiativeRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const now = () => ctx.clock().toISOString()

  /**
   * The initiative in the URL, live: an unknown one answers 404, a merged duplicate's address (a bookmark, an
   * old note, a form left open) leads to the initiative it joined (`code`: 302 for a GET, 303 after a POST).
   */
  async function liveInitiativeOf(request: FastifyRequest, reply: FastifyReply, code: 302 | 303) {
    const platform = platformOf(request)
    const { id } = request.params as { id: string }
    const initiative = ID.test(id) ? await findInitiative(ctx.db, platform.id, Number(id)) : undefined
    if (!initiative) return { refused: notFound(request, reply) }
    if (initiative.merged_into_id) return { refused: reply.redirect(`${platformBase(platform)}/initiatives/${initiative.merged_into_id}`, code) }
    return { platform, initiative }
  }

  async function renderInitiatives(request: FastifyRequest, reply: FastifyReply, platform: Platform, adding: boolean, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const q = request.query as { holder?: string }
    const withoutHolder = q.holder === 'none'
    return page(request, reply, 'admin/initiatives.eta', {
      title: adding ? 'Noter une idée' : 'Initiatives', platform, base: platformBase(platform), adding, withoutHolder, values, errors,
      initiatives: adding ? [] : await listInitiatives(ctx.db, platform.id, { withoutHolder }),
      communes: await listCommunes(ctx.db, platform.id), shortDate: formatShortDate, ...labels,
    }, status)
  }

  app.get('/initiatives', async (request, reply) => {
    const platform = platformOf(request)
    return renderInitiatives(request, reply, platform, false, {}, {})
  })

  app.get('/initiatives/new', async (request, reply) => {
    const platform = platformOf(request)
    return renderInitiatives(request, reply, platform, true, {}, {})
  })

  app.post('/initiatives/new', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(ideaForm, request.body)
    const communes = await listCommunes(ctx.db, platform.id)
    if (form.ok && form.data.commune_id !== null && !communes.some((x) => x.id === form.data.commune_id)) {
      return renderInitiatives(request, reply, platform, true, form.values, { commune_id: 'Choisissez une commune de la liste.' }, 400)
    }
    if (!form.ok) return renderInitiatives(request, reply, platform, true, form.values, form.errors, 400)
    const d = form.data
    const id = await insertIdea(ctx.db, platform.id, {
      title: d.initiative_title, summary: d.initiative_summary, domain: d.domain, needs: d.needs, stage: d.stage, commune_id: d.commune_id,
    }, now())
    return reply.redirect(`${platformBase(platform)}/initiatives/${id}?done=created`, 303)
  })

  async function renderInitiative(request: FastifyRequest, reply: FastifyReply, platform: Platform, initiative: InitiativeRow, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const [holders, pitches, merged, choices] = await Promise.all([
      initiativeHolders(ctx.db, [initiative.id]), initiativePitches(ctx.db, [initiative.id]), mergedInto(ctx.db, initiative.id),
      initiativeChoices(ctx.db, platform.id),
    ])
    return page(request, reply, 'admin/initiative.eta', {
      title: initiative.title, platform, base: platformBase(platform), initiative, holders, merged, values, errors,
      pitches: pitches.map((p) => ({ ...p, longDate: formatShortDate(p.date) })),
      needList: initiative.needs ? initiative.needs.split(',').map((n) => NEEDS[n as keyof typeof NEEDS] ?? n) : [],
      choices: choices.filter((x) => x.id !== initiative.id), createdAt: when(platform)(initiative.created_at),
      query: request.query ?? {}, ...labels,
    }, status)
  }

  app.get('/initiatives/:id', async (request, reply) => {
    const c = await liveInitiativeOf(request, reply, 302)
    if ('refused' in c) return c.refused
    return renderInitiative(request, reply, c.platform, c.initiative, { holder_kind: 'resident' }, {})
  })

  app.post('/initiatives/:id/holders', async (request, reply) => {
    const c = await liveInitiativeOf(request, reply, 303)
    if ('refused' in c) return c.refused
    const { platform, initiative } = c
    const form = parseForm(attachHolderForm, request.body)
    if (!form.ok) return renderInitiative(request, reply, platform, initiative, form.values, form.errors, 400)
    const d = form.data
    await ctx.db.transaction().execute((trx) => attachHolder(trx, platform.id, initiative, { name: d.holder_name, email: d.holder_email, phone: d.holder_phone, kind: d.holder_kind }, now()))
    return reply.redirect(`${platformBase(platform)}/initiatives/${initiative.id}?done=holder`, 303)
  })

  app.post('/initiatives/:id/merge', async (request, reply) => {
    const c = await liveInitiativeOf(request, reply, 303)
    if ('refused' in c) return c.refused
    const { platform, initiative } = c
    const form = parseForm(mergeForm, request.body)
    // The initiative kept must be another live initiative of this platform (an id from elsewhere is not found).
    const into = form.ok ? await findInitiative(ctx.db, platform.id, form.data.into_id) : undefined
    const refusal = !into || into.merged_into_id ? "Choisissez dans la liste l'initiative à garder."
      : into.id === initiative.id ? 'Une initiative ne peut pas être fusionnée avec elle-même.' : null
    if (refusal || !into) return renderInitiative(request, reply, platform, initiative, { holder_kind: 'resident', ...form.values }, { into_id: refusal! }, 400)
    const merged = await ctx.db.transaction().execute((trx) => mergeInitiative(trx, platform.id, initiative.id, into.id, now()))
    if (!merged) return renderInitiative(request, reply, platform, initiative, { holder_kind: 'resident', ...form.values }, { into_id: "Choisissez dans la liste l'initiative à garder." }, 409)
    return reply.redirect(`${platformBase(platform)}/initiatives/${into.id}?done=merged`, 303)
  })
}
