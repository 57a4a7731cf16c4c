import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { addDays, todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { type SeedPartner, seedPartners } from '../partners/store.js'
import { bookPitch } from '../pitches/booking.js'
import { bookingOpen } from '../pitches/waiting-list.js'
import { parseCommunes } from '../platforms/communes-import.js'
import { hashPassword } from '../platforms/passwords.js'
import { describeRule, monthlyRule } from '../platforms/rule.js'
import { findFacilitatorByEmail, findPlatformBySlug, insertPlatform, listCommunes, upsertFacilitator } from '../platforms/store.js'
import { DEFAULT_AGENDA } from '../sessions/agenda.js'
import { plannedYear } from './plan.js'
import { insertSession, listSessions, type SessionRow } from '../sessions/store.js'
import { projectRoot } from '../web/views.js'

// The demo's second territory: the Province de Luxembourg's "Fabrique à projets" (seeds/000…): Belgian, and
// not itinerant — it meets at its own place in Arlon. Its rule differs from Lens-Liévin's on purpose: the
// second Tuesday of the month, 14:00–16:30, no session in July and August. Idempotent, like the rest of the seed.

export const LUXEMBOURG_SLUG = 'province-luxembourg'

const RULE = monthlyRule('2', 'TU')
const START = '14:00'
const END = '16:30'
const SKIP = [7, 8]

/** In words, for the seed's report: "le deuxième mardi du mois, 14 h – 16 h 30". */
export const LUXEMBOURG_RULE = describeRule(RULE, START, END)

const VENUE = { name: 'Local de la Fabrique à projets', address: 'Square Albert 1er, B-6700 Arlon', commune: 'Arlon' }

const FACILITATOR = { name: 'Émilie Thiry', email: 'emilie.thiry@province-luxembourg.example.org' }

export interface LuxembourgReport { platformCreated: boolean; communes: number; sessions: number; rule: string }

/** The 43 communes of the province (../shared/data, verified), read with the administrators' own import. */
function communes() {
  const parsed = parseCommunes(readFileSync(join(projectRoot(), 'src/demo/data/luxembourg-be-communes.csv')), 'BE')
  if (parsed.errors.length) throw new Error(`luxembourg-be-communes.csv: line ${parsed.errors[0]!.line}: ${parsed.errors[0]!.message}`)
  return parsed.rows
}

/** The platform, its communes and venue, and this year's and next year's sessions, published. */
export async function seedLuxembourg(db: Db, uidHost: string, now: Date): Promise<LuxembourgReport> {
  const nowIso = now.toISOString()
  let platform = await findPlatformBySlug(db, LUXEMBOURG_SLUG)
  const platformCreated = !platform
  let added = 0
  if (!platform) {
    const created = await insertPlatform(db, {
      slug: LUXEMBOURG_SLUG,
      platform: {
        name: 'La Fabrique à projets — Province de Luxembourg', country: 'BE', region: null, timezone: 'Europe/Brussels',
        // The address the province gives in its announcement (seeds/000…).
        contact_email: 'fabrique@province.luxembourg.be', contact_name: `${FACILITATOR.name}, animatrice de la Fabrique à projets`,
        rrule: RULE, default_start: START, default_end: END, itinerant: false, venue: VENUE, skip_months: SKIP,
      },
      communes: communes(), facilitatorId: null, agendaTemplate: JSON.stringify(DEFAULT_AGENDA), now: nowIso,
    })
    added = created.communes
    await db.updateTable('platform').set({ default_video_url: 'https://visio.example.org/fabrique-luxembourg', contact_phone: '063 21 00 00' })
      .where('id', '=', created.id).execute()
    platform = (await findPlatformBySlug(db, LUXEMBOURG_SLUG))!
  }

  // Planned as the year planner does (plan.ts): not itinerant, so every session at its own place in Arlon.
  const year = Number(todayIn(platform.timezone, now).slice(0, 4))
  let sessions = 0
  for (const y of [year, year + 1]) {
    for (const d of await plannedYear(db, platform, { year: y, skipMonths: SKIP, start: START, end: END })) {
      await insertSession(db, platform, { ...d, status: 'published' }, uidHost, nowIso)
      sessions++
    }
  }
  return { platformCreated, communes: added, sessions, rule: LUXEMBOURG_RULE }
}

// Organisations of the province's social sector, with example contacts (reserved addresses, one domain each).
const PARTNERS: SeedPartner[] = [
  { name: 'Relais social intercommunal de la province de Luxembourg', kind: 'association', themes: ['insertion', 'logement'], contacts: [{ name: 'Céline Gérard', email: 'celine.gerard@relais-social-lux.example.org', role: 'Coordinatrice' }] },
  { name: 'Province de Luxembourg — Service social', kind: 'local_authority', themes: ['financement', 'insertion'], contacts: [{ name: 'Nathalie Collard', email: 'nathalie.collard@province-lux.example.org', role: 'Chargée de projets' }, { name: 'Pierre Dumont', email: 'pierre.dumont@province-lux.example.org', role: 'Méthodologue' }] },
  { name: 'CPAS d’Arlon', kind: 'public_body', themes: ['logement', 'insertion'], contacts: [{ name: 'Olivier Lejeune', email: 'olivier.lejeune@cpas-arlon.example.org', role: 'Assistant social' }] },
  { name: 'Maison d’accueil « Soleil du cœur » (Virton)', kind: 'association', themes: ['logement'], contacts: [{ name: 'Jean-Marc Henrion', email: 'jeanmarc.henrion@soleil-du-coeur.example.org', role: 'Éducateur' }] },
  { name: 'Fondation Roi Baudouin', kind: 'foundation', themes: ['financement'], contacts: [{ name: 'Sophie Wathelet', email: 'sophie.wathelet@frb.example.org', role: 'Chargée de programme' }] },
]

const PITCHES = [
  { name: 'Laura Pirotte', email: 'laura.pirotte@habitants-lux.example.org', kind: 'resident' as const, commune: 'Virton', title: 'Repair café gaumais', summary: 'Un samedi par mois, des bénévoles réparent avec les habitants petits appareils, vêtements et vélos, à la maison de village.', domain: 'environnement', needs: ['local', 'benevoles'], stage: 'projet' },
  { name: 'Les Jardins de la Wiltz', email: 'contact@jardins-wiltz.example.org', kind: 'association' as const, commune: 'Bastogne', title: 'Potager partagé et épicerie solidaire', summary: 'Cultiver un terrain communal avec des familles suivies par le CPAS et vendre les légumes à prix libre.', domain: 'economie_solidaire', needs: ['financement', 'partenaires'], stage: 'idee' },
  { name: 'Youssef Amrani', email: 'youssef.amrani@habitants-lux.example.org', kind: 'group' as const, commune: 'Marche-en-Famenne', title: 'Navette solidaire des villages', summary: 'Des conducteurs bénévoles emmènent les aînés isolés au marché et chez le médecin, avec un planning partagé.', domain: 'social', needs: ['benevoles', 'communication'], stage: 'en_cours' },
]

/** Its facilitator (a password is set with user:add), its partners, and pitches booked on its next open session. */
export async function seedLuxembourgPeople(ctx: AppContext): Promise<{ contacts: number; pitches: number }> {
  const platform = await findPlatformBySlug(ctx.db, LUXEMBOURG_SLUG)
  if (!platform) return { contacts: 0, pitches: 0 }
  const now = ctx.clock().toISOString()
  if (!(await findFacilitatorByEmail(ctx.db, FACILITATOR.email))) {
    // No one knows this password: `npm run user:add -- --email … --platform province-luxembourg` sets one.
    const passwordHash = await hashPassword(randomBytes(32).toString('base64url'))
    await upsertFacilitator(ctx.db, { ...FACILITATOR, passwordHash, platformId: platform.id, now })
  }
  const added = await ctx.db.transaction().execute((trx) => seedPartners(trx, platform.id, PARTNERS, now))

  const today = todayIn(platform.timezone, ctx.clock())
  const isOpen = (s: Pick<SessionRow, 'status' | 'date'>) => bookingOpen(s, today, platform.booking_close_days, addDays)
  const [session] = (await listSessions(ctx.db, platform.id, { from: today, statuses: ['published'] })).filter(isOpen)
  if (!session) return { contacts: added.contacts, pitches: 0 }
  const communeList = await listCommunes(ctx.db, platform.id)
  let pitches = 0
  for (const p of PITCHES) {
    const communeId = communeList.find((c) => c.name === p.commune)?.id ?? null
    const result = await bookPitch(ctx, platform, session.id, {
      holder: { name: p.name, email: p.email, phone: null, kind: p.kind, commune_id: communeId },
      initiative: { title: p.title, summary: p.summary, domain: p.domain, needs: p.needs, stage: p.stage, commune_id: communeId },
      attendance: 'on_site', publicTitle: true,
    }, isOpen)
    if (!result.existing) pitches++
  }
  return { contacts: added.contacts, pitches }
}

export { FACILITATOR as LUXEMBOURG_FACILITATOR }
