import type { Db, Platform } from '../../src/db/schema.js'
import { ensureCommune } from '../../src/platforms/store.js'
import { insertSession } from '../../src/sessions/store.js'

export const bookingFields = (n: number | string, extra: Record<string, string | string[]> = {}) => ({
  holder_name: `Porteur ${n}`, holder_email: `porteur${n}@example.org`, holder_phone: '', holder_kind: 'resident', commune: 'Harnes',
  initiative_title: `Jardin partagé ${n}`, initiative_summary: 'Un jardin au pied des immeubles, avec les voisins.', domain: 'environnement',
  needs: ['local', 'benevoles'], stage: 'idee', attendance: 'on_site', consent: 'yes', ...extra,
})

/** A published session (default 2026-12-18, 09:00–12:00) on a platform with the commune Harnes. */
export async function publishedSession(db: Db, platform: Platform, date = '2026-12-18') {
  await ensureCommune(db, platform.id, { name: 'Harnes', postcode: '62440' }, '2026-01-01T00:00:00.000Z')
  return insertSession(db, platform, { date, start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null, mode: 'in_person', video_url: null, status: 'published', notes: null, moved_because: null }, 'fabrik.test', '2026-11-01T00:00:00.000Z')
}

export const outbox = (db: Db) => db.selectFrom('outbox').selectAll().orderBy('id').execute()
export const pitches = (db: Db) => db.selectFrom('pitch').selectAll().orderBy('id').execute()
