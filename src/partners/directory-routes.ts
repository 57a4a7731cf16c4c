import type { FastifyInstance } from 'fastify'
import { platformBase, platformOf } from '../platforms/access.js'
import { notFound } from '../web/errors.js'
import { parseForm } from '../web/forms.js'
import { directoryPages } from './directory-pages.js'
import { partnerForm } from './forms.js'
import { findPartnerByName, insertPartner, updatePartner } from './store.js'

// Facilitators: the partner directory — the organisations, one organisation and its year (its contacts are
// contact-routes.ts, the CSV import import-routes.ts, the invitations per session invitation-routes.ts).
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function partnerDirectoryRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const now = () => ctx.clock().toISOString()
  const { partnerOf, renderList, renderPartner } = directoryPages(ctx)

  app.get('/partners', async (request, reply) => {
    const platform = platformOf(request)
    return renderList(request, reply, platform, { kind: 'association' }, {})
  })

  app.post('/partners', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(partnerForm, request.body)
    if (!form.ok) return renderList(request, reply, platform, form.values, form.errors, 400)
    if (await findPartnerByName(ctx.db, platform.id, form.data.name)) {
      return renderList(request, reply, platform, form.values, { name: 'Cette organisation est déjà dans l’annuaire.' }, 400)
    }
    const id = await insertPartner(ctx.db, platform.id, form.data, now())
    return reply.redirect(`${platformBase(platform)}/partners/${id}?saved=1`, 303)
  })

  app.get('/partners/:id', async (request, reply) => {
    const c = await partnerOf(request)
    if (!c) return notFound(request, reply)
    return renderPartner(request, reply, c.platform, c.partner, {})
  })

  app.post('/partners/:id', async (request, reply) => {
    const c = await partnerOf(request)
    if (!c) return notFound(request, reply)
    const form = parseForm(partnerForm, request.body)
    if (!form.ok) return renderPartner(request, reply, c.platform, c.partner, { orgValues: form.values, orgErrors: form.errors }, 400)
    const other = await findPartnerByName(ctx.db, c.platform.id, form.data.name)
    if (other && other.id !== c.partner.id) {
      return renderPartner(request, reply, c.platform, c.partner, { orgValues: form.values, orgErrors: { name: 'Une autre organisation porte déjà ce nom.' } }, 400)
    }
    await updatePartner(ctx.db, c.platform.id, c.partner.id, form.data, now())
    return reply.redirect(`${platformBase(c.platform)}/partners/${c.partner.id}?saved=1`, 303)
  })
}
