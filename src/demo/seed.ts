import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { todayIn } from '../calendar/zoned.js'
import type { Db, Platform } from '../db/schema.js'
import { assignByRotation } from '../platforms/rotation.js'
import { ensureCommune, findPlatformBySlug, listCommunes } from '../platforms/store.js'
import { DEFAULT_AGENDA } from '../sessions/agenda.js'
import { draftSessions } from '../sessions/planning.js'
import { hostingHistory, insertSession, listSessions } from '../sessions/store.js'
import { projectRoot } from '../web/views.js'

// The demo platform of Lens-Liévin, as the 2021 brochure describes it. Idempotent: every step checks first.

export const DEMO_SLUG = 'lens-lievin'

/** The 2021 calendar exactly as published: 09:00–12:00, "Lieu à déterminer". */
export const CALENDAR_2021 = ['2021-02-26', '2021-04-30', '2021-05-28', '2021-06-25', '2021-09-24', '2021-10-29', '2021-11-26', '2021-12-17']

export interface SeedContext { db: Db; uidHost: string; now: Date }

export interface SeedReport { platformCreated: boolean; communes: number; venues: number; sessions: number }

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
    for (const v of VENUES) {
      const communeId = byName.get(v.commune)
      if (!communeId) continue
      const exists = await db.selectFrom('venue').select('id').where('platform_id', '=', platform.id).where('name', '=', v.name).where('commune_id', '=', communeId).executeTakeFirst()
      if (exists) continue
      await db.insertInto('venue').values({ platform_id: platform.id, commune_id: communeId, name: v.name, address: v.address, capacity: v.capacity, accessibility: v.accessibility, host_name: null, host_email: null, host_phone: null, created_at: now, updated_at: now }).execute()
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
    for (const y of [year, year + 1]) {
      const drafts = draftSessions(platform, { year: y, skipMonths: [1, 7, 8], start: '09:00', end: '12:00' }, existing)
      const history = await hostingHistory(db, platform.id)
      const assigned = assignByRotation(communeRows.map((c) => ({ id: c.id, name: c.name })), history, drafts.map((d) => d.date))
      for (const d of drafts) {
        const communeId = assigned.get(d.date) ?? null
        const venue = communeId ? await db.selectFrom('venue').select('id').where('commune_id', '=', communeId).executeTakeFirst() : undefined
        await insertSession(db, platform, { ...d, status: 'published', commune_id: communeId, venue_id: venue?.id ?? null }, ctx.uidHost, now)
        sessions++
      }
    }
    return { platformCreated: created, communes, venues, sessions }
  })
}
