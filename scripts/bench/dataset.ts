import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Insertable } from 'kysely'
import { DateTime } from 'luxon'
import { toInstant } from '../../src/calendar/zoned.js'
import type { Answer, Database, Db, PitchStatus } from '../../src/db/schema.js'
import { hashPassword } from '../../src/platforms/passwords.js'
import { nameKey, slugify } from '../../src/platforms/names.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'
import { hashToken, personalToken } from '../../src/web/tokens.js'
import { projectRoot } from '../../src/web/views.js'

// The benchmark's dataset, written straight into a migrated database: multi-row inserts in chunks inside one
// transaction, ids chosen here so that every personal link (an HMAC of the row id) is known without reading
// anything back. The shape follows the issue: 50 platforms × 10 years of monthly sessions, 36 communes and
// 100 organisations × 3 contacts per platform, 20 000 pitches, 100 000 invitations.
//
// Dates are relative to today: each platform's "next" session is TODAY + 20 days (open for booking, no
// reminder due, so the mail worker stays idle and two runs measure the same thing), 108 months of past
// sessions before it and 11 more after it.

export interface DatasetOptions {
  platforms: number
  communesPerPlatform: number
  partnersPerPlatform: number
  contactsPerPartner: number
  pastMonths: number
  futureMonths: number
  pitches: number
  invitations: number
  secret: string
  now: Date
}

export const DEFAULT_DATASET: Omit<DatasetOptions, 'secret' | 'now'> = {
  platforms: 50,
  communesPerPlatform: 36,
  partnersPerPlatform: 100,
  contactsPerPartner: 3,
  pastMonths: 108,
  futureMonths: 11,
  pitches: 20_000,
  invitations: 100_000,
}

export const FACILITATOR_EMAIL = 'animatrice@banc.example.org'
export const FACILITATOR_PASSWORD = 'banc d’essai — mot de passe'
const ZONE = 'Europe/Paris'
const HOLDERS_PER_PLATFORM = 300

/** What the bench needs to reach the interesting rows. */
export interface DatasetInfo {
  /** The measured platform (its id and slug). */
  platformId: number
  slug: string
  /** The upcoming session every measured page is about (full pitch slots, every active contact invited). */
  sessionDate: string
  sessionId: number
  /** A contact invited to every session of the platform: the largest personal feed. */
  heavyContactId: number
  /** The last session held before it: its record (attendance, advice, referrals) is the record pages' subject. */
  recordDate: string
  /** The initiative pitched first at that session: the journey page's subject. */
  journeyInitiativeId: number
  /** One invitation to the measured session, for the RSVP page. */
  invitationId: number
  /** The holder already on the measured session's waiting list: the idempotent booking. */
  bookingHolder: { name: string; email: string }
  counts: Record<string, number>
  /** The SESSION_SECRET every personal link was derived from. */
  secret: string
}

type Rows<T extends keyof Database> = Array<Insertable<Database[T]>>

/** Multi-row inserts, as many rows per statement as the bound-parameter limit allows. */
async function insertAll<T extends keyof Database>(db: Db, table: T, rows: Rows<T>): Promise<void> {
  if (rows.length === 0) return
  const columns = Object.keys(rows[0]!).length
  const chunk = Math.max(1, Math.floor(30_000 / columns))
  for (let i = 0; i < rows.length; i += chunk) {
    // Kysely's generic insert types do not narrow over a table-name parameter.
    await db.insertInto(table).values(rows.slice(i, i + chunk) as never).execute()
  }
}

function communeNames(): Array<{ name: string; postcode: string }> {
  const text = readFileSync(join(projectRoot(), 'src/demo/data/lens-lievin-communes.csv'), 'utf8')
  return text.trim().split('\n').slice(1).map((line) => {
    const [name, postcode] = line.split(';')
    return { name: name!, postcode: postcode! }
  })
}

const FIRST = ['Hélène', 'Marc', 'Léa', 'Karim', 'Nadia', 'Kevin', 'Martine', 'Sébastien', 'Aïcha', 'Jérôme', 'Chloé', 'Mehdi', 'Françoise', 'Théo', 'Inès']
const LAST = ['Dupré', 'Petit', 'Martin', 'Benali', 'Lefebvre', 'Dubois', 'Lemaire', 'Caron', 'Mercier', 'Desmet', 'Haddad', 'Wozniak', 'Delattre', 'Leroy']
const KINDS = ['public_body', 'local_authority', 'association', 'foundation', 'other'] as const
const THEMES = ['financement', 'logement', 'insertion', 'jeunesse', 'culture', 'sport', 'environnement']
const person = (i: number) => `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}`
const pad = (n: number, w = 2) => String(n).padStart(w, '0')

/** Spreads `total` over `parts` as evenly as integers allow. */
function spread(total: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts))
}

export async function generateDataset(db: Db, options: DatasetOptions): Promise<DatasetInfo> {
  const o = options
  const created = DateTime.fromJSDate(o.now, { zone: 'utc' }).minus({ years: 10 }).toISO()!
  const anchor = DateTime.fromJSDate(o.now, { zone: ZONE }).startOf('day').plus({ days: 20 })
  const monthsTotal = o.pastMonths + 1 + o.futureMonths
  const contactsPerPlatform = o.partnersPerPlatform * o.contactsPerPartner
  const pitchesPerPlatform = spread(o.pitches, o.platforms)
  const invitationsPerPlatform = spread(o.invitations, o.platforms)
  const communes = communeNames().slice(0, o.communesPerPlatform)
  const agendaJson = JSON.stringify(DEFAULT_AGENDA)
  const slots = DEFAULT_AGENDA.filter((i) => i.kind === 'pitch').length
  const passwordHash = await hashPassword(FACILITATOR_PASSWORD)

  const ids = { commune: 0, venue: 0, session: 0, agenda: 0, holder: 0, initiative: 0, pitch: 0, partner: 0, contact: 0, invitation: 0, attendance: 0, advice: 0, referral: 0, event: 0 }
  let info: DatasetInfo | null = null
  const counts: Record<string, number> = {}
  const count = (table: string, n: number) => { counts[table] = (counts[table] ?? 0) + n }

  await db.transaction().execute(async (trx) => {
    await trx.insertInto('facilitator').values({ id: 1, email: FACILITATOR_EMAIL, name: 'Animatrice du banc', password_hash: passwordHash, created_at: created }).execute()
    count('facilitator', 1)

    for (let p = 1; p <= o.platforms; p++) {
      const slug = `banc-${pad(p)}`
      await trx.insertInto('platform').values({
        id: p, slug, name: `Fabrik à projets n° ${pad(p)}`, timezone: ZONE, country: 'FR', rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1',
        default_start: '09:00', default_end: '12:00', default_video_url: `https://visio.example.org/${slug}`,
        contact_name: 'L’équipe d’animation', contact_email: `animation@${slug}.example.org`, contact_phone: '03 21 00 00 00',
        booking_mode: 'auto', booking_close_days: 7, reminder_days: '7,1', agenda_template: agendaJson, created_at: created, updated_at: created,
      }).execute()
      count('platform', 1)
      if (p === 1) await trx.insertInto('facilitator_platform').values({ facilitator_id: 1, platform_id: 1 }).execute()

      // Communes and one venue in each.
      const communeRows: Rows<'commune'> = []
      const venueRows: Rows<'venue'> = []
      const communeIds: number[] = []
      const venueIds: number[] = []
      for (const [i, c] of communes.entries()) {
        const id = ++ids.commune
        communeIds.push(id)
        communeRows.push({ id, platform_id: p, name: c.name, name_key: nameKey(c.name), slug: slugify(c.name), postcode: c.postcode, created_at: created })
        const vid = ++ids.venue
        venueIds.push(vid)
        venueRows.push({
          id: vid, platform_id: p, commune_id: id, name: `Salle municipale de ${c.name}`, address: `${i + 1} place de la Mairie, ${c.postcode} ${c.name}`,
          accessibility: i % 3 === 0 ? 'Plain-pied, accessible en fauteuil.' : null, capacity: 20 + (i % 5) * 10,
          host_name: null, host_email: null, host_phone: null, created_at: created, updated_at: created,
        })
      }
      await insertAll(trx, 'commune', communeRows)
      await insertAll(trx, 'venue', venueRows)
      count('commune', communeRows.length)
      count('venue', venueRows.length)

      // Sessions, month by month around the anchor; the last two are still drafts, a few past ones cancelled.
      const sessionRows: Rows<'session'> = []
      const agendaRows: Rows<'agenda_item'> = []
      const sessions: Array<{ id: number; k: number; date: string }> = []
      for (let m = 0; m < monthsTotal; m++) {
        const k = m - o.pastMonths
        const date = anchor.plus({ months: k }).toISODate()!
        const id = ++ids.session
        const ci = ((m % communeIds.length) + communeIds.length) % communeIds.length
        const status = k > o.futureMonths - 2 ? 'draft' : k < 0 && m % 29 === 7 ? 'cancelled' : 'published'
        const mode = m % 12 === 3 ? 'videoconference' : m % 6 === 1 ? 'hybrid' : 'in_person'
        sessionRows.push({
          id, platform_id: p, date, start_time: '09:00', end_time: '12:00',
          starts_at: toInstant(date, '09:00', ZONE), ends_at: toInstant(date, '12:00', ZONE),
          commune_id: mode === 'videoconference' ? null : communeIds[ci]!, venue_id: mode === 'videoconference' ? null : venueIds[ci]!,
          mode, video_url: mode === 'in_person' ? null : `https://visio.example.org/${slug}/${date}`,
          status, notes: null, moved_because: null, pitch_slots: slots, uid: `session-${p}-${date}@banc.example.org`, sequence: 0,
          created_at: created, updated_at: created,
        })
        for (const [pos, item] of DEFAULT_AGENDA.entries()) {
          agendaRows.push({ id: ++ids.agenda, session_id: id, position: pos + 1, kind: item.kind, title: item.title, duration_minutes: item.duration_minutes })
        }
        sessions.push({ id, k, date })
      }
      await insertAll(trx, 'session', sessionRows)
      await insertAll(trx, 'agenda_item', agendaRows)
      count('session', sessionRows.length)
      count('agenda_item', agendaRows.length)
      const target = sessions.find((s) => s.k === 0)!

      // Holders; each pitch brings its own initiative.
      const holderRows: Rows<'holder'> = []
      const holderIds: number[] = []
      for (let h = 0; h < HOLDERS_PER_PLATFORM; h++) {
        const id = ++ids.holder
        holderIds.push(id)
        const email = `porteur.${pad(p)}.${pad(h, 3)}@habitants.example.org`
        holderRows.push({
          id, platform_id: p, name: person(h + p), email, email_key: email, phone: h % 4 === 0 ? '06 00 00 00 00' : null,
          kind: (['resident', 'group', 'association', 'other'] as const)[h % 4]!, commune_id: communeIds[h % communeIds.length]!,
          feed_token_hash: hashToken(personalToken(o.secret, 'feed-holder', id)), created_at: created, updated_at: created,
        })
      }
      await insertAll(trx, 'holder', holderRows)
      count('holder', holderRows.length)

      // Pitches: every slot held on past and near sessions, then extra waiting or withdrawn ones, up to the quota.
      const plan: Array<{ session: (typeof sessions)[number]; status: PitchStatus }> = []
      for (const s of sessions) {
        const held = s.k < 0 ? slots : s.k === 0 ? slots : s.k <= 3 ? slots - 1 : 0
        for (let i = 0; i < held; i++) plan.push({ session: s, status: 'confirmed' })
        if (s.k === 0) plan.push({ session: s, status: 'waiting' }) // the bench's booking holder
      }
      const past = sessions.filter((s) => s.k < 0)
      for (let i = 0; plan.length < pitchesPerPlatform[p - 1]!; i++) plan.push({ session: past[i % past.length]!, status: 'withdrawn' })
      plan.length = Math.min(plan.length, pitchesPerPlatform[p - 1]!)
      const initiativeRows: Rows<'initiative'> = []
      const linkRows: Rows<'initiative_holder'> = []
      const pitchRows: Rows<'pitch'> = []
      const positions = new Map<number, number>()
      const holdersOf = new Map<number, Set<number>>()
      let nextHolder = 0
      let bookingHolder: { name: string; email: string } | null = null
      for (const [j, item] of plan.entries()) {
        const taken = holdersOf.get(item.session.id) ?? new Set<number>()
        holdersOf.set(item.session.id, taken)
        let hi = nextHolder++ % HOLDERS_PER_PLATFORM
        while (taken.has(hi)) hi = nextHolder++ % HOLDERS_PER_PLATFORM // one booking per holder per session
        taken.add(hi)
        const holderId = holderIds[hi]!
        const initiativeId = ++ids.initiative
        initiativeRows.push({
          id: initiativeId, platform_id: p, title: `Initiative ${pad(p)}-${pad(j, 3)} : jardin, atelier ou café solidaire`,
          summary: 'Un projet d’habitants pour le quartier, présenté au comité pour trouver un local, des partenaires et un financement.',
          domain: ['social', 'culturel', 'environnement', 'sportif', 'economie_solidaire'][j % 5]!, needs: 'local,partenaires',
          stage: ['idee', 'projet', 'en_cours'][j % 3]!, commune_id: communeIds[j % communeIds.length]!, merged_into_id: null,
          created_at: created, updated_at: created,
        })
        linkRows.push({ initiative_id: initiativeId, holder_id: holderId })
        const position = (positions.get(item.session.id) ?? 0) + 1
        positions.set(item.session.id, position)
        const id = ++ids.pitch
        pitchRows.push({
          id, session_id: item.session.id, initiative_id: initiativeId, holder_id: holderId, status: item.status, position,
          attendance_mode: j % 7 === 0 ? 'remote' : 'on_site', public_title: j % 2 === 0 ? 1 : 0, facilitator_message: null,
          token_hash: hashToken(personalToken(o.secret, 'pitch', id, 0)), token_version: 0, created_at: created, updated_at: created,
        })
        if (item.session.k === 0 && item.status === 'waiting') bookingHolder = { name: holderRows[hi]!.name, email: holderRows[hi]!.email! }
      }
      await insertAll(trx, 'initiative', initiativeRows)
      await insertAll(trx, 'initiative_holder', linkRows)
      await insertAll(trx, 'pitch', pitchRows)
      count('initiative', initiativeRows.length)
      count('pitch', pitchRows.length)

      // Organisations and their contacts (every tenth contact inactive).
      const partnerRows: Rows<'partner'> = []
      const contactRows: Rows<'contact'> = []
      const contactIds: number[] = []
      for (let a = 0; a < o.partnersPerPlatform; a++) {
        const partnerId = ++ids.partner
        const name = `${['CAF', 'Centre social', 'Mission locale', 'Fondation', 'Mairie', 'Département'][a % 6]} n° ${pad(a + 1, 3)} — ${communes[a % communes.length]!.name}`
        partnerRows.push({
          id: partnerId, platform_id: p, name, name_key: nameKey(name), kind: KINDS[a % KINDS.length]!,
          themes: [THEMES[a % THEMES.length], THEMES[(a + 3) % THEMES.length]].join(','), website: `https://partenaire-${a + 1}.example.org`,
          notes: null, created_at: created, updated_at: created,
        })
        for (let c = 0; c < o.contactsPerPartner; c++) {
          const id = ++ids.contact
          const n = a * o.contactsPerPartner + c
          contactIds.push(id)
          const email = `contact.${pad(n, 3)}@partenaire-${pad(p)}-${a + 1}.example.org`
          contactRows.push({
            id, partner_id: partnerId, name: person(n + 3 * p), email, email_key: email, phone: null, role: c === 0 ? 'Chargée de mission' : null,
            active: n % 10 === 9 ? 0 : 1, feed_token_hash: hashToken(personalToken(o.secret, 'feed-contact', id)), created_at: created, updated_at: created,
          })
        }
      }
      await insertAll(trx, 'partner', partnerRows)
      await insertAll(trx, 'contact', contactRows)
      count('partner', partnerRows.length)
      count('contact', contactRows.length)

      // Invitations: every active contact to the measured session; the heavy contact to every session; the rest
      // spread over the other sessions by rotating through the directory.
      const invitable = sessions.filter((s) => s.k <= o.futureMonths - 2) // drafts take no invitations
      const byId = new Map(contactRows.map((c) => [c.id!, c]))
      const heavy = contactIds[0]!
      const invitationRows: Rows<'invitation'> = []
      const answers: Answer[] = ['on_site', 'on_site', 'remote', 'declined', 'none', 'on_site', 'none', 'remote', 'delegate', 'on_site']
      const invite = (s: (typeof sessions)[number], contactId: number) => {
        const id = ++ids.invitation
        const n = invitationRows.length
        const answer: Answer = s.k > 0 ? (n % 3 === 0 ? answers[n % answers.length]! : 'none') : answers[n % answers.length]!
        invitationRows.push({
          id, session_id: s.id, contact_id: contactId, token_hash: hashToken(personalToken(o.secret, 'rsvp', id, 0)), token_version: 0,
          previous_token_hash: null, answer, comment: n % 11 === 0 ? 'Je viendrai avec une collègue du service.' : null,
          delegate_name: answer === 'delegate' ? 'Collègue remplaçante' : null, delegate_email: answer === 'delegate' ? 'collegue@partenaire.example.org' : null,
          delegated_from_id: null, answered_at: answer === 'none' ? null : created, invited_at: created, reminded_at: null,
          created_at: created, updated_at: created,
        })
        return id
      }
      let invitationId = 0
      for (const c of contactIds) {
        if (!byId.get(c)!.active) continue
        const id = invite(target, c)
        if (!invitationId) invitationId = id
      }
      const others = invitable.filter((s) => s.id !== target.id)
      for (const s of others) invite(s, heavy)
      const rest = spread(Math.max(0, invitationsPerPlatform[p - 1]! - invitationRows.length), others.length)
      let cursor = 1
      for (const [i, s] of others.entries()) {
        for (let n = 0; n < rest[i]!; n++) {
          invite(s, contactIds[cursor]!)
          cursor = cursor + 1 >= contactsPerPlatform ? 1 : cursor + 1 // 0 is the heavy contact, already invited
        }
      }
      await insertAll(trx, 'invitation', invitationRows)
      count('invitation', invitationRows.length)

      // What each held session left (#14): who came (the contacts who said they would, every confirmed holder),
      // two pieces of advice, a record and a referral to a partner per pitch, each referral with two events.
      const held = new Map(sessions.filter((s) => s.k < 0).map((s) => [s.id, s]))
      const attendanceRows: Rows<'attendance'> = []
      for (const inv of invitationRows) {
        if (!held.has(inv.session_id) || (inv.answer !== 'on_site' && inv.answer !== 'remote')) continue
        attendanceRows.push({
          id: ++ids.attendance, session_id: inv.session_id, contact_id: inv.contact_id, holder_id: null, partner_id: byId.get(inv.contact_id!)!.partner_id,
          name: null, organisation: null, email: null, presence: attendanceRows.length % 9 === 0 ? 'absent' : inv.answer, recorded_by: 1, created_at: created, updated_at: created,
        })
      }
      const adviceRows: Rows<'advice'> = []
      const recordRows: Rows<'pitch_record'> = []
      const referralRows: Rows<'referral'> = []
      const eventRows: Rows<'referral_event'> = []
      const statuses = ['proposed', 'contacted', 'in_progress', 'succeeded', 'dropped'] as const
      for (const [j, pitch] of pitchRows.entries()) {
        if (!held.has(pitch.session_id) || pitch.status !== 'confirmed') continue
        attendanceRows.push({
          id: ++ids.attendance, session_id: pitch.session_id, contact_id: null, holder_id: pitch.holder_id, partner_id: null,
          name: null, organisation: null, email: null, presence: 'on_site', recorded_by: 1, created_at: created, updated_at: created,
        })
        for (let n = 0; n < 2; n++) {
          const contact = byId.get(contactIds[(j * 7 + n * 3) % contactIds.length]!)!
          adviceRows.push({
            id: ++ids.advice, pitch_id: pitch.id!, contact_id: contact.id!, partner_id: contact.partner_id, source: n === 0 ? 'table' : 'written',
            body: 'Prendre contact avec le service vie associative pour un local, et déposer un dossier au fonds de participation des habitants.',
            author_name: null, recorded_by: 1, created_at: created,
          })
        }
        recordRows.push({
          pitch_id: pitch.id!, summary: 'Projet présenté avec clarté ; le local et le budget de démarrage restent à trouver.',
          next_steps: 'Rencontrer le centre social ; revenir dans trois mois.', stage_after: null, revisit: 0, revisit_session_id: null,
          revisit_offered_at: null, version: 1, updated_by: 1, created_at: created, updated_at: created,
        })
        const contact = byId.get(contactIds[(j * 11) % contactIds.length]!)!
        const referralId = ++ids.referral
        const status = statuses[j % statuses.length]!
        const followUp = held.get(pitch.session_id)!.date
        referralRows.push({
          id: referralId, pitch_id: pitch.id!, initiative_id: pitch.initiative_id, partner_id: contact.partner_id, contact_id: contact.id!,
          subject: 'Recherche d’un local et d’un premier financement', follow_up_on: followUp, status, share_contact: 1,
          // A platform that ran these ten years sent each open referral's one reminder on its follow-up day: none is
          // left overdue, so the worker is at rest while the pages are measured (it is not draining a backlog).
          token_hash: hashToken(personalToken(o.secret, 'referral', referralId, 1)), token_version: 1, reminded_at: `${followUp}T08:00:00.000Z`, created_by: 1,
          created_at: created, updated_at: created,
        })
        eventRows.push({ id: ++ids.event, referral_id: referralId, status: 'proposed', note: null, by_kind: 'facilitator', by_facilitator_id: 1, by_contact_id: null, by_name: null, created_at: created })
        eventRows.push({ id: ++ids.event, referral_id: referralId, status, note: 'Premier rendez-vous fixé.', by_kind: 'partner', by_facilitator_id: null, by_contact_id: contact.id!, by_name: null, created_at: created })
      }
      await insertAll(trx, 'attendance', attendanceRows)
      await insertAll(trx, 'advice', adviceRows)
      await insertAll(trx, 'pitch_record', recordRows)
      await insertAll(trx, 'referral', referralRows)
      await insertAll(trx, 'referral_event', eventRows)
      count('attendance', attendanceRows.length)
      count('advice', adviceRows.length)
      count('pitch_record', recordRows.length)
      count('referral', referralRows.length)
      count('referral_event', eventRows.length)

      if (p === 1) {
        info = {
          platformId: p, slug, sessionDate: target.date, sessionId: target.id, recordDate: sessions.find((s) => s.k === -1)!.date,
          journeyInitiativeId: pitchRows.find((r) => r.session_id === sessions.find((s) => s.k === -1)!.id && r.status === 'confirmed')!.initiative_id, heavyContactId: heavy, invitationId,
          bookingHolder: bookingHolder!, counts, secret: o.secret,
        }
      }
    }
  })
  if (!info) throw new Error('no platform generated')
  return info
}
