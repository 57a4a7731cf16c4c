import type { FastifyInstance } from 'fastify'
import { platformBase } from '../platforms/access.js'
import { notFound } from '../web/errors.js'
import { parseForm } from '../web/forms.js'
import { directoryPages } from './directory-pages.js'
import { contactForm, contactReviewForm, contactToggleForm } from './forms.js'
import { refuseContact, replaceFeedLink } from './invitations.js'
import { confirmContact, findContactByEmail, insertContact, setContactActive, updateContact } from './store.js'

// Facilitators: an organisation's contacts — add, edit, deactivate, confirm or refuse a colleague named by a
// delegation, a new personal feed link.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function partnerContactRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const now = () => ctx.clock().toISOString()
  const { partnerOf, contactOf, renderPartner } = directoryPages(ctx)

  app.post('/partners/:id/contacts', async (request, reply) => {
    const c = await partnerOf(request)
    if (!c) return notFound(request, reply)
    const form = parseForm(contactForm, request.body)
    if (!form.ok) return renderPartner(request, reply, c.platform, c.partner, { contactValues: form.values, contactErrors: form.errors }, 400)
    const known = await findContactByEmail(ctx.db, c.partner.id, form.data.email)
    if (known) {
      const message = known.pending
        ? 'Cette adresse est celle d’un contact proposé par un ou une collègue : confirmez-le dans la liste « À confirmer ».'
        : 'Cette adresse est déjà celle d’un contact de cette organisation.'
      return renderPartner(request, reply, c.platform, c.partner, { contactValues: form.values, contactErrors: { email: message } }, 400)
    }
    await insertContact(ctx.db, c.partner.id, form.data, now())
    return reply.redirect(`${platformBase(c.platform)}/partners/${c.partner.id}?contact_saved=1`, 303)
  })

  app.post('/partners/:id/contacts/:contactId', async (request, reply) => {
    const c = await contactOf(request)
    if (!c) return notFound(request, reply)
    const { contact } = c
    const back = `${platformBase(c.platform)}/partners/${c.partner.id}?contact_saved=1`
    const toggle = parseForm(contactToggleForm, request.body)
    if (toggle.ok) {
      await setContactActive(ctx.db, c.partner.id, contact.id, toggle.data.action === 'activate', now())
      return reply.redirect(back, 303)
    }
    const form = parseForm(contactForm, request.body)
    if (!form.ok) return renderPartner(request, reply, c.platform, c.partner, { contactValues: form.values, contactErrors: form.errors, editContactId: contact.id }, 400)
    const other = await findContactByEmail(ctx.db, c.partner.id, form.data.email)
    if (other && other.id !== contact.id) {
      return renderPartner(request, reply, c.platform, c.partner, { contactValues: form.values, contactErrors: { email: 'Cette adresse est déjà celle d’un autre contact de cette organisation.' }, editContactId: contact.id }, 400)
    }
    await updateContact(ctx.db, c.partner.id, contact.id, form.data, now())
    return reply.redirect(back, 303)
  })

  // "Confirmer" adds a colleague named by a delegation to the directory; "Refuser" takes back the invitations
  // they hold (CANCEL, link 410) and forgets them. Already decided (a second click): nothing more to do.
  app.post('/partners/:id/contacts/:contactId/review', async (request, reply) => {
    const c = await contactOf(request)
    if (!c) return notFound(request, reply)
    const form = parseForm(contactReviewForm, request.body)
    if (!form.ok) return renderPartner(request, reply, c.platform, c.partner, {}, 400)
    if (c.contact.pending) {
      if (form.data.decision === 'confirm') await confirmContact(ctx.db, c.partner.id, c.contact.id, now())
      else await refuseContact(ctx, c.platform, c.partner.id, c.contact.id)
    }
    const done = form.data.decision === 'confirm' ? 'confirmed' : 'refused'
    const back = form.data.back === 'partner' ? `${platformBase(c.platform)}/partners/${c.partner.id}` : `${platformBase(c.platform)}/partners`
    return reply.redirect(`${back}?${done}=1#a-confirmer`, 303)
  })

  // A new personal feed link for a contact (theirs was shared by mistake): the old one answers 410; the new one
  // is in their next email and on their invitation page.
  app.post('/partners/:id/contacts/:contactId/feed', async (request, reply) => {
    const c = await contactOf(request)
    if (!c) return notFound(request, reply)
    await replaceFeedLink(ctx, c.platform.id, c.partner.id, c.contact.id)
    return reply.redirect(`${platformBase(c.platform)}/partners/${c.partner.id}?feed_replaced=1`, 303)
  })
}
