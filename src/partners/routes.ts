import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { todayIn } from '../calendar/zoned.js'
import type { Partner, Platform } from '../db/schema.js'
import { platformOf } from '../platforms/access.js'
import { presentSession } from '../sessions/view.js'
import { findSessionByDate, listSessions, type SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { ANSWER_LABELS, attendanceTable, COLUMN_LABELS, inviteRefusal, linksExpired, participation } from './answers.js'
import { calendarAnswerNotes } from './calendar-answers.js'
import { delegateState } from './delegation.js'
import {
  contactForm, contactReviewForm, contactToggleForm, inviteForm, KIND_LABELS, PARTNER_KINDS, partnerForm, THEMES, themesOf,
} from './forms.js'
import { inviteContacts, refuseContact, remindUnanswered, replaceFeedLink, resendInvitation } from './invitations.js'
import {
  confirmContact, findContact, findContactByEmail, findInvitation, findPartner, findPartnerByName, insertContact, insertPartner,
  listContacts, listPartners, partnerParticipation, partnersToInvite, pendingContacts, sessionAttendance, setContactActive, updateContact,
  updatePartner,
} from './store.js'

// Facilitators: the partner directory (organisations and their contacts; the CSV import is import-routes.ts), and per session the
// invitations — invite, "relancer", a new link — with the table of who comes. Registered in the platform scope
// (/admin/p/{slug}, app.ts): the login and the platform are already checked.

const ID = /^\d{1,9}$/

export async function partnerAdminRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const base = (p: Platform) => `/admin/p/${encodeURIComponent(p.slug)}`
  const now = () => ctx.clock().toISOString()

  /** The scope's platform and the partner the URL names; null when it is not one of this platform's. */
  async function partnerOf(request: FastifyRequest): Promise<{ platform: Platform; partner: Partner } | null> {
    const platform = platformOf(request)
    const { id } = request.params as { id: string }
    const partner = ID.test(id) ? await findPartner(ctx.db, platform.id, Number(id)) : undefined
    return partner ? { platform, partner } : null
  }

  // --- Directory ----------------------------------------------------------------------------------------

  /** Contacts a colleague named, not yet confirmed: one entry per contact, with who named them for which session. */
  async function pendingOf(platform: Platform, partnerId: number | null = null) {
    const entries = new Map<number, { id: number; name: string; email: string; partnerId: number; partnerName: string; proposals: Array<{ by: string; date: string }> }>()
    for (const r of await pendingContacts(ctx.db, platform.id, partnerId)) {
      let e = entries.get(r.id)
      if (!e) entries.set(r.id, (e = { id: r.id, name: r.name, email: r.email, partnerId: r.partner_id, partnerName: r.partner_name, proposals: [] }))
      if (r.proposed_by && r.session_date) e.proposals.push({ by: r.proposed_by, date: r.session_date })
    }
    return [...entries.values()]
  }

  async function renderList(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const today = todayIn(platform.timezone, ctx.clock())
    const [partners, upcoming, pending] = await Promise.all([
      listPartners(ctx.db, platform.id),
      listSessions(ctx.db, platform.id, { from: today, statuses: ['published'], limit: 3 }),
      pendingOf(platform),
    ])
    return page(request, reply, 'admin/partners.eta', {
      pending,
      title: 'Partenaires', platform, base: base(platform), values, errors, kinds: PARTNER_KINDS, kindLabels: KIND_LABELS, themes: THEMES,
      partners: partners.map((p) => ({ ...p, themeList: themesOf(p), contactCount: Number(p.contact_count), activeCount: Number(p.active_count) })),
      upcoming: upcoming.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())),
      query: request.query,
    }, status)
  }

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
    return reply.redirect(`${base(platform)}/partners/${id}?saved=1`, 303)
  })

  // --- One organisation, its contacts, its year ---------------------------------------------------------

  interface PartnerForms {
    orgValues?: Record<string, unknown>
    orgErrors?: FieldErrors
    contactValues?: Record<string, unknown>
    contactErrors?: FieldErrors
    editContactId?: number | null
  }

  const orgValuesOf = (p: Partner) => {
    const themes = themesOf(p)
    return {
      name: p.name, kind: p.kind, themes: themes.filter((t) => (THEMES as readonly string[]).includes(t)),
      other_themes: themes.filter((t) => !(THEMES as readonly string[]).includes(t)).join(', '),
      website: p.website ?? '', notes: p.notes ?? '',
    }
  }

  async function renderPartner(request: FastifyRequest, reply: FastifyReply, platform: Platform, partner: Partner, forms: PartnerForms, status = 200) {
    const q = request.query as { year?: string; contact?: string }
    const thisYear = Number(todayIn(platform.timezone, ctx.clock()).slice(0, 4))
    const year = /^\d{4}$/.test(q.year ?? '') ? Number(q.year) : thisYear
    const [contacts, rows, pending] = await Promise.all([
      listContacts(ctx.db, partner.id),
      partnerParticipation(ctx.db, partner.id, `${year}-01-01`, `${year}-12-31`),
      pendingOf(platform, partner.id),
    ])
    const editContactId = forms.editContactId ?? (ID.test(q.contact ?? '') ? Number(q.contact) : null)
    const editing = contacts.find((c) => c.id === editContactId) ?? null
    const contactValues = forms.contactValues ?? (editing
      ? { name: editing.name, email: editing.email, phone: editing.phone ?? '', role: editing.role ?? '', active: editing.active ? 'yes' : '' }
      : { active: 'yes' })
    return page(request, reply, 'admin/partner.eta', {
      title: partner.name, platform, base: base(platform), partner, contacts, editing, pending,
      kinds: PARTNER_KINDS, kindLabels: KIND_LABELS, themes: THEMES, answerLabels: ANSWER_LABELS,
      orgValues: forms.orgValues ?? orgValuesOf(partner), orgErrors: forms.orgErrors ?? {},
      contactValues, contactErrors: forms.contactErrors ?? {},
      year, participation: participation(rows), query: request.query,
    }, status)
  }

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
    return reply.redirect(`${base(c.platform)}/partners/${c.partner.id}?saved=1`, 303)
  })

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
    return reply.redirect(`${base(c.platform)}/partners/${c.partner.id}?contact_saved=1`, 303)
  })

  app.post('/partners/:id/contacts/:contactId', async (request, reply) => {
    const c = await partnerOf(request)
    const { contactId } = request.params as { contactId: string }
    const contact = c && ID.test(contactId) ? await findContact(ctx.db, c.partner.id, Number(contactId)) : undefined
    if (!c || !contact) return notFound(request, reply)
    const back = `${base(c.platform)}/partners/${c.partner.id}?contact_saved=1`
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

  /** The contact named in the URL, within the organisation named in the URL. */
  async function contactOf(request: FastifyRequest) {
    const c = await partnerOf(request)
    const { contactId } = request.params as { contactId: string }
    const contact = c && ID.test(contactId) ? await findContact(ctx.db, c.partner.id, Number(contactId)) : undefined
    return c && contact ? { ...c, contact } : null
  }

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
    const back = form.data.back === 'partner' ? `${base(c.platform)}/partners/${c.partner.id}` : `${base(c.platform)}/partners`
    return reply.redirect(`${back}?${done}=1#a-confirmer`, 303)
  })

  // A new personal feed link for a contact (theirs was shared by mistake): the old one answers 410; the new one
  // is in their next email and on their invitation page.
  app.post('/partners/:id/contacts/:contactId/feed', async (request, reply) => {
    const c = await contactOf(request)
    if (!c) return notFound(request, reply)
    await replaceFeedLink(ctx, c.platform.id, c.partner.id, c.contact.id)
    return reply.redirect(`${base(c.platform)}/partners/${c.partner.id}?feed_replaced=1`, 303)
  })

  // --- Per session: invitations and who comes -------------------------------------------------------------

  async function sessionOf(request: FastifyRequest): Promise<{ platform: Platform; session: SessionRow } | null> {
    const platform = platformOf(request)
    const { date } = request.params as { date: string }
    const session = await findSessionByDate(ctx.db, platform.id, date)
    return session ? { platform, session } : null
  }

  async function renderSession(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, error: string | null = null, status = 200) {
    // The organisations still to invite are only listed while the session takes invitations.
    const refusal = inviteRefusal(session, ctx.clock())
    const [entries, toInvite, calendarNotes] = await Promise.all([
      sessionAttendance(ctx.db, session.id), refusal ? [] : partnersToInvite(ctx.db, platform.id, session.id),
      calendarAnswerNotes(ctx.db, session.id),
    ])
    const view = presentSession(platform, session, ctx.config.publicUrl, ctx.clock())
    const table = attendanceTable(entries.map((e) => ({
      ...e, delegateState: delegateState({ ...e, delegateInvited: e.delegateInvitationId !== null }),
    })), session.venue_capacity, session.mode)
    return page(request, reply, 'admin/session-partners.eta', {
      title: `Partenaires — ${view.longDate}`, platform, base: base(platform), session: view, table, columnLabels: COLUMN_LABELS,
      toInvite: toInvite.map((p) => ({ ...p, waiting: Number(p.waiting) })),
      refusal, linksExpired: linksExpired(session.ends_at, ctx.clock()),
      // Answers given from a calendar (replies/), and whether they are read at all (REPLY_IMAP_URL).
      calendarNotes, calendarReplies: ctx.config.replyImapUrl !== null,
      error, query: request.query,
    }, status)
  }

  const sessionBase = (platform: Platform, session: SessionRow) => `${base(platform)}/sessions/${session.date}/partners`

  app.get('/sessions/:date/partners', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    return renderSession(request, reply, c.platform, c.session)
  })

  app.post('/sessions/:date/partners/invite', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const refusal = inviteRefusal(c.session, ctx.clock())
    if (refusal) return renderSession(request, reply, c.platform, c.session, refusal, 400)
    const form = parseForm(inviteForm, request.body)
    if (!form.ok) return renderSession(request, reply, c.platform, c.session, form.errors.partner_ids ?? 'Choix invalide.', 400)
    const count = await inviteContacts(ctx, c.platform, c.session, form.data.partner_ids.length ? form.data.partner_ids : null)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?invited=${count}`, 303)
  })

  app.post('/sessions/:date/partners/remind', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const refusal = inviteRefusal(c.session, ctx.clock(), 'remind')
    if (refusal) return renderSession(request, reply, c.platform, c.session, refusal, 400)
    const count = await remindUnanswered(ctx, c.platform, c.session)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?reminded=${count}`, 303)
  })

  app.post('/sessions/:date/partners/:invitationId/resend', async (request, reply) => {
    const c = await sessionOf(request)
    const { invitationId } = request.params as { invitationId: string }
    const invitation = c && ID.test(invitationId) ? await findInvitation(ctx.db, Number(invitationId)) : undefined
    if (!c || !invitation || invitation.session_id !== c.session.id) return notFound(request, reply)
    if (c.session.status === 'cancelled') {
      return renderSession(request, reply, c.platform, c.session, 'Cette séance est annulée : il n’y a pas de nouveau lien à envoyer.', 400)
    }
    if (linksExpired(c.session.ends_at, ctx.clock())) {
      return renderSession(request, reply, c.platform, c.session, 'Cette séance date de plus de 30 jours : les liens personnels ne sont plus valables.', 400)
    }
    await resendInvitation(ctx, c.platform, c.session, invitation)
    return reply.redirect(`${sessionBase(c.platform, c.session)}?resent=${invitation.id}`, 303)
  })
}
