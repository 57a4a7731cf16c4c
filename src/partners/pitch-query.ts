import type { Db } from '../db/schema.js'

// Read-only: what partners see of a session's pitches on their link (pitches/' pitch, initiative, holder and
// platforms/' commune tables), and the advice a contact already wrote on them. Nothing here writes.

/**
 * Confirmed pitches as partners see them: the title always (the booking form tells holders that partners
 * see it; the public page is another audience), the holder's commune, the domain and the needs.
 */
export function partnerPitches(db: Db, sessionId: number) {
  return db.selectFrom('pitch')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
    .innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .leftJoin('commune as holder_commune', 'holder_commune.id', 'holder.commune_id')
    .leftJoin('commune as initiative_commune', 'initiative_commune.id', 'initiative.commune_id')
    .select([
      'pitch.id', 'pitch.position', 'initiative.title', 'initiative.domain', 'initiative.needs',
      'holder_commune.name as holder_commune', 'initiative_commune.name as initiative_commune',
    ])
    .where('pitch.session_id', '=', sessionId)
    .where('pitch.status', '=', 'confirmed')
    .orderBy('pitch.position')
    .orderBy('pitch.id')
    .execute()
}

/** The advice this contact already wrote on the session's pitches. */
export function adviceOfContact(db: Db, contactId: number, sessionId: number) {
  return db.selectFrom('advice')
    .innerJoin('pitch', 'pitch.id', 'advice.pitch_id')
    .select(['advice.id', 'advice.pitch_id', 'advice.body', 'advice.created_at'])
    .where('advice.contact_id', '=', contactId)
    .where('pitch.session_id', '=', sessionId)
    .orderBy('advice.id')
    .execute()
}
