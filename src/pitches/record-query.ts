import type { Db } from '../db/schema.js'

// Read-only: what the holder's page needs of record/'s pitch_record (the "à revoir" offer). record/ writes it.

/** Whether the record of this pitch offers a later session, and which. */
export function revisitOffered(db: Db, pitchId: number) {
  return db.selectFrom('pitch_record').select(['revisit', 'revisit_session_id']).where('pitch_id', '=', pitchId).executeTakeFirst()
}
