import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { listAudit, record } from '../audit/store.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { email, type FieldErrors, line, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { erasePerson } from './erase.js'
import { exportPerson } from './export.js'
import { type Found, searchPeople } from './whose.js'

// "Données personnelles" (#17): a facilitator finds a person of their platform by email or name, exports what is
// held about them (a JSON file, in the response only) and erases it, each confirmed by typing the address again;
// and reads the platform's audit trail. Registered in the /admin/p/:slug scope (app.ts). Every action here is a
// POST (CSRF) and logged; the pages (GET) only show forms and the trail.

const searchForm = z.object({ q: line(120) })
const confirmed = (prefix: string) => z.object({ [`${prefix}email`]: email(), [`${prefix}confirm`]: z.string().optional().transform((s) => (s ?? '').trim()) })
  .refine((v) => String(v[`${prefix}confirm`]).toLowerCase() === String(v[`${prefix}email`]).toLowerCase(),
    { path: [`${prefix}confirm`], message: 'Recopiez exactement la même adresse e-mail pour confirmer.' }) as z.ZodType<Record<string, string>>
/** The export's and the erasure's forms: the address, typed twice (their fields differ, both are on one page). */
const exportForm = confirmed('export_')
const eraseForm = confirmed('erase_')

const ACTIONS: Record<string, string> = {
  'person.search': 'Recherche d’une personne', 'person.export': 'Export des données', 'person.erase': 'Effacement des données',
  'retention.erase': 'Effacement après la durée de conservation',
}

export async function privacyRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const actor = (request: FastifyRequest) => ({ kind: 'facilitator' as const, facilitatorId: request.login!.facilitatorId, address: request.ip })

  function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, data: { values?: Record<string, unknown>; errors?: FieldErrors; found?: Found[] | null }, status = 200) {
    const erased = (request.query as Record<string, unknown>).ok === 'efface'
    return page(request, reply, 'admin/privacy.eta', {
      title: 'Données personnelles', platform, base: platformBase(platform), values: data.values ?? {}, errors: data.errors ?? {}, found: data.found ?? null, erased,
    }, status)
  }

  app.get('/donnees-personnelles', async (request, reply) => render(request, reply, platformOf(request), {}))

  app.post('/donnees-personnelles/recherche', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(searchForm, request.body)
    if (!form.ok) return render(request, reply, platform, { values: form.values, errors: form.errors }, 400)
    const found = await ctx.db.transaction().execute(async (trx) => {
      const rows = await searchPeople(trx, platform.id, form.data.q)
      await record(trx, { platformId: platform.id, actor: actor(request), action: 'person.search', counts: { found: rows.length } }, ctx.clock().toISOString())
      return rows
    })
    return render(request, reply, platform, { values: form.values, found })
  })

  app.post('/donnees-personnelles/export', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(exportForm, request.body)
    if (!form.ok) return render(request, reply, platform, { values: form.values, errors: form.errors }, 400)
    const doc = await exportPerson({ db: ctx.db, platform: { id: platform.id, slug: platform.slug }, email: form.data.export_email!, now: ctx.clock(), actor: actor(request) })
    // Never written to disk: the file is the response.
    return reply.header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="donnees-${platform.slug}-${doc.exportedAt.slice(0, 10)}.json"`)
      .type('application/json; charset=utf-8').send(JSON.stringify(doc, null, 2))
  })

  app.post('/donnees-personnelles/effacer', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(eraseForm, request.body)
    if (!form.ok) return render(request, reply, platform, { values: form.values, errors: form.errors }, 400)
    await erasePerson({ db: ctx.db, platformId: platform.id, email: form.data.erase_email!, now: ctx.clock(), dataDir: ctx.config.dataDir, actor: actor(request) })
    return reply.redirect(`${platformBase(platform)}/donnees-personnelles?ok=efface`, 303)
  })

  app.get('/donnees-personnelles/journal', async (request, reply) => {
    const platform = platformOf(request)
    const events = await listAudit(ctx.db, platform.id, { limit: 200, offset: 0 })
    return page(request, reply, 'admin/privacy-audit.eta', { title: 'Journal des données personnelles', platform, base: platformBase(platform), events, actions: ACTIONS })
  })
}
