import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { requireLogin } from '../web/guards.js'
import { page } from '../web/views.js'
import { managedPlatform, platformBase } from './access.js'
import { communeForm, settingsForm, venueForm } from './forms.js'
import { createVenue, ensureCommune, findCommuneByName, findVenue, listCommunes, listVenues, platformsOf, updateVenue } from './store.js'

// Facilitators: their platforms, the communes and venues of each, and the platform's settings.

export async function platformAdminRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  app.addHook('preHandler', requireLogin)

  app.get('/', async (request, reply) => {
    const platforms = await platformsOf(ctx.db, request.login!.platformIds)
    if (platforms.length === 1) return reply.redirect(platformBase(platforms[0]!), 303)
    // An administrator who facilitates nothing yet starts from the platforms they administer.
    if (platforms.length === 0 && request.login!.admin) return reply.redirect('/admin/platforms', 303)
    return page(request, reply, 'admin/home.eta', { title: 'Mes plateformes', platforms })
  })

  async function renderCommunes(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const communes = await listCommunes(ctx.db, platform.id)
    return page(request, reply, 'admin/communes.eta', { title: 'Communes', platform, base: platformBase(platform), communes, values, errors }, status)
  }

  app.get('/p/:slug/communes', async (request, reply) => {
    const platform = await managedPlatform(request)
    if (!platform) return notFound(request, reply)
    return renderCommunes(request, reply, platform, {}, {})
  })

  app.post('/p/:slug/communes', async (request, reply) => {
    const platform = await managedPlatform(request)
    if (!platform) return notFound(request, reply)
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

  app.get('/p/:slug/venues', async (request, reply) => {
    const platform = await managedPlatform(request)
    if (!platform) return notFound(request, reply)
    return renderVenue(request, reply, platform, null, {}, {})
  })

  app.post('/p/:slug/venues', async (request, reply) => {
    const platform = await managedPlatform(request)
    if (!platform) return notFound(request, reply)
    const form = parseForm(venueForm, request.body)
    if (!form.ok) return renderVenue(request, reply, platform, null, form.values, form.errors, 400)
    const errors = await checkVenue(platform, form.data.commune_id)
    if (Object.keys(errors).length) return renderVenue(request, reply, platform, null, form.values, errors, 400)
    await createVenue(ctx.db, platform.id, form.data, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}/venues`, 303)
  })

  app.get('/p/:slug/venues/:id', async (request, reply) => {
    const platform = await managedPlatform(request)
    const id = Number((request.params as { id: string }).id)
    const venue = platform && Number.isSafeInteger(id) ? await findVenue(ctx.db, platform.id, id) : undefined
    if (!platform || !venue) return notFound(request, reply)
    const values = Object.fromEntries(Object.entries(venue).map(([k, v]) => [k, v === null ? '' : String(v)]))
    return renderVenue(request, reply, platform, venue.id, values, {})
  })

  app.post('/p/:slug/venues/:id', async (request, reply) => {
    const platform = await managedPlatform(request)
    const id = Number((request.params as { id: string }).id)
    const venue = platform && Number.isSafeInteger(id) ? await findVenue(ctx.db, platform.id, id) : undefined
    if (!platform || !venue) return notFound(request, reply)
    const form = parseForm(venueForm, request.body)
    if (!form.ok) return renderVenue(request, reply, platform, venue.id, form.values, form.errors, 400)
    const errors = await checkVenue(platform, form.data.commune_id)
    if (Object.keys(errors).length) return renderVenue(request, reply, platform, venue.id, form.values, errors, 400)
    await updateVenue(ctx.db, platform.id, venue.id, form.data, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}/venues`, 303)
  })

  async function renderSettings(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/settings.eta', { title: 'Réglages', platform, base: platformBase(platform), values, errors }, status)
  }

  app.get('/p/:slug/settings', async (request, reply) => {
    const platform = await managedPlatform(request)
    if (!platform) return notFound(request, reply)
    const values = Object.fromEntries(Object.entries(platform).map(([k, v]) => [k, v === null ? '' : String(v)]))
    return renderSettings(request, reply, platform, values, {})
  })

  app.post('/p/:slug/settings', async (request, reply) => {
    const platform = await managedPlatform(request)
    if (!platform) return notFound(request, reply)
    const form = parseForm(settingsForm, request.body)
    if (!form.ok) return renderSettings(request, reply, platform, form.values, form.errors, 400)
    const d = form.data
    await ctx.db.updateTable('platform').set({
      ...d, reminder_days: d.reminder_days.replace(/\s/g, ''), updated_at: ctx.clock().toISOString(),
    }).where('id', '=', platform.id).execute()
    return reply.redirect(`${platformBase(platform)}/settings?saved=1`, 303)
  })
}
