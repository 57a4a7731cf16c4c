import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db, Platform } from '../db/schema.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { requireLogin } from '../web/guards.js'
import { page } from '../web/views.js'
import { platformBase, platformOf } from './access.js'
import { communeForm, venueForm } from './forms.js'
import { createVenue, ensureCommune, findCommuneByName, findVenue, listCommunes, listVenues, platformsOf, updateVenue } from './store.js'

// Facilitators: their platforms ("Mes plateformes", /admin/), and the communes and venues of each (in the
// platform scope /admin/p/{slug}/…, app.ts: login and platform checked there; platformOf gives it). The
// settings page is settings-routes.ts.

/** One line per platform for "Mes plateformes" (its next session at a glance), handed in by app.ts (dashboard/). */
export type PlatformSummaries = (db: Db, platforms: Platform[]) => Promise<Map<number, string>>

export async function platformAdminRoutes(app: FastifyInstance, opts: { summaries?: PlatformSummaries } = {}) {
  const ctx = app.ctx
  app.addHook('preHandler', requireLogin)

  app.get('/', async (request, reply) => {
    const platforms = await platformsOf(ctx.db, request.login!.platformIds)
    if (platforms.length === 1) return reply.redirect(platformBase(platforms[0]!), 303)
    // An administrator who facilitates nothing yet starts from the platforms they administer.
    if (platforms.length === 0 && request.login!.admin) return reply.redirect('/admin/platforms', 303)
    const summaries = opts.summaries ? await opts.summaries(ctx.db, platforms) : new Map<number, string>()
    return page(request, reply, 'admin/home.eta', { title: 'Mes plateformes', platforms, summaries })
  })
}

/** One platform's communes and venues, registered in the /admin/p/:slug scope. */
export async function platformPageRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function renderCommunes(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const communes = await listCommunes(ctx.db, platform.id)
    return page(request, reply, 'admin/communes.eta', { title: 'Communes', platform, base: platformBase(platform), communes, values, errors }, status)
  }

  app.get('/communes', async (request, reply) => {
    const platform = platformOf(request)
    return renderCommunes(request, reply, platform, {}, {})
  })

  app.post('/communes', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(communeForm, request.body)
    if (!form.ok) return renderCommunes(request, reply, platform, form.values, form.errors, 400)
    if (await findCommuneByName(ctx.db, platform.id, form.data.name)) {
      return renderCommunes(request, reply, platform, form.values, { name: 'Cette commune est déjà dans la liste.' }, 400)
    }
    await ensureCommune(ctx.db, platform.id, form.data, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}/communes`, 303)
  })

  async function renderVenue(request: FastifyRequest, reply: FastifyReply, platform: Platform, venueId: number | null, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const [communes, venues] = await Promise.all([listCommunes(ctx.db, platform.id), listVenues(ctx.db, platform.id)])
    return page(request, reply, 'admin/venues.eta', { title: venueId ? 'Modifier un lieu' : 'Lieux', platform, base: platformBase(platform), communes, venues, venueId, values, errors }, status)
  }

  async function checkVenue(platform: Platform, communeId: number): Promise<FieldErrors> {
    const communes = await listCommunes(ctx.db, platform.id)
    return communes.some((c) => c.id === communeId) ? {} : { commune_id: 'Choisissez une commune de la liste.' }
  }

  app.get('/venues', async (request, reply) => {
    const platform = platformOf(request)
    return renderVenue(request, reply, platform, null, {}, {})
  })

  app.post('/venues', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(venueForm, request.body)
    if (!form.ok) return renderVenue(request, reply, platform, null, form.values, form.errors, 400)
    const errors = await checkVenue(platform, form.data.commune_id)
    if (Object.keys(errors).length) return renderVenue(request, reply, platform, null, form.values, errors, 400)
    await createVenue(ctx.db, platform.id, form.data, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}/venues`, 303)
  })

  app.get('/venues/:id', async (request, reply) => {
    const platform = platformOf(request)
    const id = Number((request.params as { id: string }).id)
    const venue = Number.isSafeInteger(id) ? await findVenue(ctx.db, platform.id, id) : undefined
    if (!venue) return notFound(request, reply)
    const values = Object.fromEntries(Object.entries(venue).map(([k, v]) => [k, v === null ? '' : String(v)]))
    return renderVenue(request, reply, platform, venue.id, values, {})
  })

  app.post('/venues/:id', async (request, reply) => {
    const platform = platformOf(request)
    const id = Number((request.params as { id: string }).id)
    const venue = Number.isSafeInteger(id) ? await findVenue(ctx.db, platform.id, id) : undefined
    if (!venue) return notFound(request, reply)
    const form = parseForm(venueForm, request.body)
    if (!form.ok) return renderVenue(request, reply, platform, venue.id, form.values, form.errors, 400)
    const errors = await checkVenue(platform, form.data.commune_id)
    if (Object.keys(errors).length) return renderVenue(request, reply, platform, venue.id, form.values, errors, 400)
    await updateVenue(ctx.db, platform.id, venue.id, form.data, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}/venues`, 303)
  })
}
