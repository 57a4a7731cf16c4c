import type { Db } from '../db/schema.js'

// Read-only: how a session's place reads in the diff of a change (platforms/' venue and commune tables).

/** "Commune — Venue, address" for a venue, the commune's name for a commune only, else null. */
export async function placeLabel(db: Db, s: { venue_id: number | null; commune_id: number | null }): Promise<string | null> {
  if (s.venue_id) {
    const v = await db.selectFrom('venue').innerJoin('commune', 'commune.id', 'venue.commune_id')
      .select(['venue.name', 'venue.address', 'commune.name as commune']).where('venue.id', '=', s.venue_id).executeTakeFirst()
    return v ? `${v.commune} — ${v.name}, ${v.address}` : null
  }
  if (s.commune_id) {
    const c = await db.selectFrom('commune').select('name').where('id', '=', s.commune_id).executeTakeFirst()
    return c?.name ?? null
  }
  return null
}
