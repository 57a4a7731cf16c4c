import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { addDays, todayIn } from '../calendar/zoned.js'
import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { bookPitch } from '../pitches/booking.js'
import { type AnswerInput } from '../partners/forms.js'
import { inviteContacts, recordAnswer } from '../partners/invitations.js'
import { findSessionInvitationByEmail } from '../partners/invitation-store.js'
import { type SeedPartner, seedPartners } from '../partners/store.js'
import { bookingOpen } from '../pitches/waiting-list.js'
import { createVenue, ensureCommune, findPlatformBySlug, listCommunes, listVenues } from '../platforms/store.js'
import { DEFAULT_AGENDA } from '../sessions/agenda.js'
import { insertSession, listSessions, type SessionRow } from '../sessions/store.js'
import { projectRoot } from '../web/views.js'
import { type LuxembourgReport, seedLuxembourg, seedLuxembourgPeople } from './luxembourg.js'
import { plannedYear } from './plan.js'
import { seedDemoRecord } from './record.js'
import { seedDemoMinutes } from './minutes.js'

// The demo platform of Lens-Liévin, as the 2021 brochure describes it. Idempotent: every step checks first.

export const DEMO_SLUG = 'lens-lievin'

/** The 2021 calendar exactly as published: 09:00–12:00, "Lieu à déterminer". */
export const CALENDAR_2021 = ['2021-02-26', '2021-04-30', '2021-05-28', '2021-06-25', '2021-09-24', '2021-10-29', '2021-11-26', '2021-12-17']

export interface SeedContext { db: Db; uidHost: string; now: Date }

export interface SeedReport { platformCreated: boolean; communes: number; venues: number; sessions: number; pitches: number; luxembourg: LuxembourgReport }

function demoCommunes(): Array<{ name: string; postcode: string }> {
  const text = readFileSync(join(projectRoot(), 'src/demo/data/lens-lievin-communes.csv'), 'utf8')
  return parse(text, { delimiter: ';', columns: true, skip_empty_lines: true }) as Array<{ name: string; postcode: string }>
}

const VENUES = [
  { commune: 'Lens', name: 'Maison des associations', address: '12 rue de la Paix, 62300 Lens', capacity: 40, accessibility: 'Plain-pied, accessible en fauteuil. Gare de Lens à 10 minutes à pied.' },
  { commune: 'Liévin', name: 'Centre social Vachala', address: '5 place de la République, 62800 Liévin', capacity: 30, accessibility: 'Ascenseur. Bus Tadao ligne 1.' },
  { commune: 'Harnes', name: 'Salle des fêtes', address: '1 rue des Fusillés, 62440 Harnes', capacity: 60, accessibility: 'Plain-pied, parking.' },
  { commune: 'Avion', name: 'Médiathèque', address: '20 rue Jean-Jaurès, 62210 Avion', capacity: 25, accessibility: null },
]

async function ensurePlatform(db: Db, now: string): Promise<{ platform: Platform; created: boolean }> {
  const existing = await findPlatformBySlug(db, DEMO_SLUG)
  if (existing) return { platform: existing, created: false }
  await db.insertInto('platform').values({
    slug: DEMO_SLUG,
    name: 'La Fabrik à projets — Lens-Liévin',
    timezone: 'Europe/Paris',
    country: 'FR',
    rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1',
    default_start: '09:00',
    default_end: '12:00',
    default_video_url: 'https://visio.example.org/fabrik-lens-lievin',
    contact_name: "L'animatrice de la Fabrik à projets",
    contact_email: 'animation@fabrik-lens-lievin.example.org',
    contact_phone: '03 21 00 00 00',
    booking_mode: 'auto',
    booking_close_days: 7,
    reminder_days: '7,1',
    agenda_template: JSON.stringify(DEFAULT_AGENDA),
    created_at: now,
    updated_at: now,
  }).execute()
  return { platform: (await findPlatformBySlug(db, DEMO_SLUG))!, created: true }
}

export async function seedDemo(ctx: SeedContext): Promise<SeedReport> {
  const now = ctx.now.toISOString()
  return ctx.db.transaction().execute(async (db) => {
    const { platform, created } = await ensurePlatform(db, now)
    let communes = 0
    for (const c of demoCommunes()) if ((await ensureCommune(db, platform.id, { name: c.name, postcode: c.postcode }, now)).created) communes++

    const communeRows = await listCommunes(db, platform.id)
    const byName = new Map(communeRows.map((c) => [c.name, c.id]))
    let venues = 0
    const known = new Set((await listVenues(db, platform.id)).map((v) => `${v.commune_id}:${v.name}`))
    for (const v of VENUES) {
      const communeId = byName.get(v.commune)
      if (!communeId || known.has(`${communeId}:${v.name}`)) continue
      await createVenue(db, platform.id, { commune_id: communeId, name: v.name, address: v.address, capacity: v.capacity, accessibility: v.accessibility, host_name: null, host_email: null, host_phone: null }, now)
      venues++
    }

    let sessions = 0
    const existing = new Set((await listSessions(db, platform.id)).map((s) => s.date))
    for (const date of CALENDAR_2021) {
      if (existing.has(date)) continue
      await insertSession(db, platform, { date, start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null, mode: 'in_person', video_url: null, status: 'published', notes: null, moved_because: null }, ctx.uidHost, now)
      sessions++
    }

    // This year and next, from the rule, published, communes given by the rotation.
    const year = Number(todayIn(platform.timezone, ctx.now).slice(0, 4))
    // A commune's first venue hosts its sessions.
    const venueOf = new Map<number, number>()
    for (const v of (await listVenues(db, platform.id)).sort((a, b) => a.id - b.id)) if (!venueOf.has(v.commune_id)) venueOf.set(v.commune_id, v.id)
    // Planned as the year planner does (plan.ts): the rotation's communes, each year after the one before.
    for (const y of [year, year + 1]) {
      for (const d of await plannedYear(db, platform, { year: y, skipMonths: [1, 7, 8], start: '09:00', end: '12:00' })) {
        await insertSession(db, platform, { ...d, status: 'published', venue_id: (d.commune_id && venueOf.get(d.commune_id)) || null }, ctx.uidHost, now)
        sessions++
      }
    }
    // The second territory (luxembourg.ts), in the same transaction.
    const luxembourg = await seedLuxembourg(db, ctx.uidHost, ctx.now)
    return { platformCreated: created, communes, venues, sessions, pitches: 0, luxembourg }
  })
}

const PITCHES: Array<{ name: string; email: string; kind: 'resident' | 'group' | 'association'; commune: string; title: string; summary: string; domain: string; needs: string[]; stage: string; publicTitle: boolean }> = [
  { name: 'Nadia Benali', email: 'nadia.benali@habitants.example.org', kind: 'resident', commune: 'Lens', title: 'Jardin partagé de la cité 9', summary: 'Transformer la friche derrière les immeubles en jardin cultivé par les voisins, avec un atelier pour les enfants le mercredi.', domain: 'environnement', needs: ['local', 'benevoles', 'financement'], stage: 'idee', publicTitle: true },
  { name: 'Les Amis du vélo', email: 'contact@amis-du-velo.example.org', kind: 'association', commune: 'Liévin', title: 'Atelier vélo solidaire', summary: 'Un atelier où chacun apprend à réparer son vélo avec des bénévoles, et des vélos remis en état pour les demandeurs d’emploi.', domain: 'economie_solidaire', needs: ['local', 'partenaires'], stage: 'projet', publicTitle: true },
  { name: 'Kevin Lefebvre', email: 'kevin.lefebvre@habitants.example.org', kind: 'group', commune: 'Harnes', title: 'Tournoi de futsal inter-quartiers', summary: 'Un tournoi mensuel entre les jeunes de trois quartiers, organisé par eux, avec les éducateurs de prévention.', domain: 'sportif', needs: ['financement', 'communication'], stage: 'en_cours', publicTitle: false },
  { name: 'Martine Dubois', email: 'martine.dubois@habitants.example.org', kind: 'resident', commune: 'Avion', title: 'Club de lecture entre générations', summary: 'Des retraités et des collégiens lisent ensemble à la médiathèque, une fois par mois.', domain: 'culturel', needs: ['partenaires', 'methode'], stage: 'idee', publicTitle: true },
]

// The partners the 2021 brochure names, with example contacts (reserved addresses, one domain each).
const PARTNERS: SeedPartner[] = [
  { name: 'Caisse d’Allocations Familiales du Pas-de-Calais (CAF)', kind: 'public_body', themes: ['financement', 'logement', 'jeunesse'], contacts: [{ name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org', role: 'Conseillère territoriale' }, { name: 'Marc Petit', email: 'marc.petit@caf.example.org', role: 'Chargé de développement social' }] },
  { name: 'Conseil départemental du Pas-de-Calais', kind: 'local_authority', themes: ['insertion', 'financement'], contacts: [{ name: 'Sophie Lambert', email: 'sophie.lambert@pasdecalais.example.org', role: 'Action sociale territoriale' }] },
  { name: 'Fédération des Centres Sociaux du Pas-de-Calais', kind: 'association', themes: ['jeunesse', 'culture'], contacts: [{ name: 'Karim Haddad', email: 'karim.haddad@centres-sociaux.example.org', role: 'Délégué fédéral' }] },
  { name: 'Communauté d’agglomération de Lens-Liévin', kind: 'local_authority', themes: ['numérique', 'insertion'], contacts: [{ name: 'Claire Martin', email: 'claire.martin@agglo-lenslievin.example.org', role: 'Politique de la ville' }] },
  { name: 'Fondation Territoriale des Lumières — Fondation de France', kind: 'foundation', themes: ['financement'], contacts: [{ name: 'Julien Roussel', email: 'julien.roussel@fondation-lumieres.example.org', role: 'Chargé de mission' }] },
  { name: 'URIOPSS — Comité départemental du Pas-de-Calais', kind: 'association', themes: ['insertion'], contacts: [{ name: 'Anne Leroy', email: 'anne.leroy@uriopss.example.org', role: 'Animatrice de la plateforme' }] },
  { name: 'AFERTES — UNAFORIS', kind: 'association', themes: ['insertion'], contacts: [{ name: 'Thomas Caron', email: 'thomas.caron@afertes.example.org', role: 'Formateur' }] },
  { name: 'Service de prévention Avenir des Cités', kind: 'association', themes: ['jeunesse', 'sport'], contacts: [{ name: 'Samia Bouzid', email: 'samia.bouzid@avenirdescites.example.org', role: 'Éducatrice de prévention' }] },
  { name: 'APEI Lens et environs', kind: 'association', themes: ['insertion'], contacts: [{ name: 'Philippe Morel', email: 'philippe.morel@apei-lens.example.org', role: 'Directeur adjoint' }] },
  { name: 'UDCCAS du Pas-de-Calais', kind: 'public_body', themes: ['logement'], contacts: [{ name: 'Isabelle Garnier', email: 'isabelle.garnier@udccas.example.org', role: 'Chargée de mission' }] },
  { name: 'CCAS de Harnes', kind: 'public_body', themes: ['logement', 'insertion'], contacts: [{ name: 'Nathalie Fontaine', email: 'nathalie.fontaine@ccas-harnes.example.org', role: 'Responsable' }] },
]

/** Partners, invited to the next session (their messages wait in the outbox), a few of them already answered. */
export async function seedDemoPartners(ctx: AppContext): Promise<number> {
  await seedLuxembourgPeople(ctx) // the second territory's facilitator, partners and pitches
  const platform = (await findPlatformBySlug(ctx.db, DEMO_SLUG))!
  const now = ctx.clock().toISOString()
  const added = await ctx.db.transaction().execute((trx) => seedPartners(trx, platform.id, PARTNERS, now))
  await seedDemoRecord(ctx, platform) // the two most recent past sessions, recorded at the table (record.ts)
  await seedDemoMinutes(ctx, platform) // the most recent one's minutes, sent (minutes.ts)
  const today = todayIn(platform.timezone, ctx.clock())
  const [next] = await listSessions(ctx.db, platform.id, { from: today, statuses: ['published'], limit: 1 })
  if (!next) return added.contacts
  await inviteContacts(ctx, platform, next, null)
  const answers: Array<[string, AnswerInput['answer']]> = [['helene.dupre@caf.example.org', 'on_site'], ['karim.haddad@centres-sociaux.example.org', 'remote'], ['julien.roussel@fondation-lumieres.example.org', 'declined']]
  for (const [email, answer] of answers) {
    const invitation = await findSessionInvitationByEmail(ctx.db, next.id, email)
    if (invitation && invitation.answer === 'none') {
      await recordAnswer(ctx, platform, next, invitation, { answer, comment: answer === 'declined' ? 'Je serai en comité ce jour-là.' : null, delegate_name: null, delegate_email: null })
    }
  }
  return added.contacts
}

/** Pitches booked on the next sessions still open for booking, through the real booking path (emails queued). */
export async function seedDemoPitches(ctx: AppContext): Promise<number> {
  const platform = (await findPlatformBySlug(ctx.db, DEMO_SLUG))!
  const today = todayIn(platform.timezone, ctx.clock())
  const isOpen = (s: Pick<SessionRow, 'status' | 'date'>) => bookingOpen(s, today, platform.booking_close_days, addDays)
  const open = (await listSessions(ctx.db, platform.id, { from: today, statuses: ['published'] })).filter(isOpen).slice(0, 2)
  const communes = await listCommunes(ctx.db, platform.id)
  let created = 0
  for (const [i, p] of PITCHES.entries()) {
    const session = open[i < 3 ? 0 : 1]
    if (!session) break
    const communeId = communes.find((c) => c.name === p.commune)?.id ?? null
    const result = await bookPitch(ctx, platform, session.id, {
      holder: { name: p.name, email: p.email, phone: null, kind: p.kind, commune_id: communeId },
      initiative: { title: p.title, summary: p.summary, domain: p.domain, needs: p.needs, stage: p.stage, commune_id: communeId },
      attendance: 'on_site', publicTitle: p.publicTitle,
    }, isOpen)
    if (!result.existing) created++
  }
  return created
}
