import type { FastifyReply, FastifyRequest } from 'fastify'
import { todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Partner, Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { listSessions } from '../sessions/store.js'
import { presentSession } from '../sessions/view.js'
import type { FieldErrors } from '../web/forms.js'
import { page } from '../web/views.js'
import { ANSWER_LABELS, participation } from './answers.js'
import { KIND_LABELS, PARTNER_KINDS, THEMES, themesOf } from './forms.js'
import { partnerParticipation } from './invitation-store.js'
import { findContact, findPartner, listContacts, listPartners, pendingContacts } from './store.js'

// What the directory's pages share (directory-routes.ts, contact-routes.ts): the partner and contact the URL
// names within the scope's platform, and the two pages — the list of organisations, one organisation.

export const ID = /^\d{1,9}$/

export function directoryPages(ctx: AppContext) {
  /** The scope's platform and the partner the URL names; null when it is not one of this platform's. */
  async function partnerOf(request: FastifyRequest): Promise<{ platform: Platform; partner: Partner } | null> {
    const platform = platformOf(request)
    const { id } = request.params as { id: string }
    const partner = ID.test(id) ? await findPartner(ctx.db, platform.id, Number(id)) : undefined
    return partner ? { platform, partner } : null
  }

  /** The contact named in the URL, within the organisation named in the URL. */
  async function contactOf(request: FastifyRequest) {
    const c = await partnerOf(request)
    const { contactId } = request.params as { contactId: string }
    const contact = c && ID.test(contactId) ? await findContact(ctx.db, c.partner.id, Number(contactId)) : undefined
    return c && contact ? { ...c, contact } : null
  }

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
      title: 'Partenaires', platform, base: platformBase(platform), values, errors, kinds: PARTNER_KINDS, kindLabels: KIND_LABELS, themes: THEMES,
      partners: partners.map((p) => ({ ...p, themeList: themesOf(p), contactCount: Number(p.contact_count), activeCount: Number(p.active_count) })),
      upcoming: upcoming.map((s) => presentSession(platform, s, ctx.config.publicUrl, ctx.clock())),
      query: request.query,
    }, status)
  }

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
      title: partner.name, platform, base: platformBase(platform), partner, contacts, editing, pending,
      kinds: PARTNER_KINDS, kindLabels: KIND_LABELS, themes: THEMES, answerLabels: ANSWER_LABELS,
      orgValues: forms.orgValues ?? orgValuesOf(partner), orgErrors: forms.orgErrors ?? {},
      contactValues, contactErrors: forms.contactErrors ?? {},
      year, participation: participation(rows), query: request.query,
    }, status)
  }

  return { partnerOf, contactOf, renderList, renderPartner }
}
