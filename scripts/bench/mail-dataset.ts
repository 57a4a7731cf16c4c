import { DateTime } from 'luxon'
import { toInstant } from '../../src/calendar/zoned.js'
import type { Db } from '../../src/db/schema.js'
import { nameKey, slugify } from '../../src/platforms/names.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'

// The mail bench's dataset: one platform, its next session (published, in a commune's hall, today + 20 days,
// so no reminder is due and the worker has nothing but the invitations to send) and `contacts` active
// contacts, 10 per organisation, none yet invited: "Inviter tout le monde" writes to each of them.

const ZONE = 'Europe/Paris'

export interface MailDataset {
  platformId: number
  sessionId: number
}

export async function generateMailDataset(db: Db, contacts: number, now: Date): Promise<MailDataset> {
  const created = now.toISOString()
  const date = DateTime.fromJSDate(now, { zone: ZONE }).startOf('day').plus({ days: 20 }).toISODate()!
  const slug = 'banc-courrier'
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('platform').values({
      id: 1, slug, name: 'Fabrik à projets du banc courrier', timezone: ZONE, country: 'FR', rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1',
      default_start: '09:00', default_end: '12:00', default_video_url: `https://visio.example.org/${slug}`,
      contact_name: 'L’équipe d’animation', contact_email: `animation@${slug}.example.org`, contact_phone: '03 21 00 00 00',
      booking_mode: 'auto', booking_close_days: 7, reminder_days: '7,1', agenda_template: JSON.stringify(DEFAULT_AGENDA), created_at: created, updated_at: created,
    }).execute()
    await trx.insertInto('commune').values({ id: 1, platform_id: 1, name: 'Liévin', name_key: nameKey('Liévin'), slug: slugify('Liévin'), postcode: '62800', created_at: created }).execute()
    await trx.insertInto('venue').values({
      id: 1, platform_id: 1, commune_id: 1, name: 'Salle municipale de Liévin', address: '1 place de la Mairie, 62800 Liévin',
      accessibility: 'Plain-pied, accessible en fauteuil.', capacity: 60, host_name: null, host_email: null, host_phone: null, created_at: created, updated_at: created,
    }).execute()
    const slots = DEFAULT_AGENDA.filter((i) => i.kind === 'pitch').length
    await trx.insertInto('session').values({
      id: 1, platform_id: 1, date, start_time: '09:00', end_time: '12:00', starts_at: toInstant(date, '09:00', ZONE), ends_at: toInstant(date, '12:00', ZONE),
      commune_id: 1, venue_id: 1, mode: 'hybrid', video_url: `https://visio.example.org/${slug}/${date}`, status: 'published', notes: null, moved_because: null,
      pitch_slots: slots, uid: `session-1-${date}@banc.example.org`, sequence: 0, created_at: created, updated_at: created,
    }).execute()
    await trx.insertInto('agenda_item').values(DEFAULT_AGENDA.map((item, pos) => ({
      session_id: 1, position: pos + 1, kind: item.kind, title: item.title, duration_minutes: item.duration_minutes,
    }))).execute()
    const partners = Math.ceil(contacts / 10)
    for (let a = 0; a < partners; a++) {
      const name = `${['CAF', 'Centre social', 'Mission locale', 'Fondation', 'Mairie', 'Département'][a % 6]} n° ${String(a + 1).padStart(3, '0')}`
      await trx.insertInto('partner').values({
        id: a + 1, platform_id: 1, name, name_key: nameKey(name), kind: 'association', themes: 'insertion,logement',
        website: `https://partenaire-${a + 1}.example.org`, notes: null, created_at: created, updated_at: created,
      }).execute()
      const rows = []
      for (let c = a * 10; c < Math.min(contacts, (a + 1) * 10); c++) {
        const email = `contact.${String(c).padStart(4, '0')}@partenaire-${a + 1}.example.org`
        rows.push({
          id: c + 1, partner_id: a + 1, name: `Contact ${c} Dupré-Benali`, email, email_key: email, phone: null,
          role: c % 10 === 0 ? 'Chargée de mission' : null, active: 1 as const, created_at: created, updated_at: created,
        })
      }
      await trx.insertInto('contact').values(rows).execute()
    }
  })
  return { platformId: 1, sessionId: 1 }
}
