import type { Db } from '../db/schema.js'

// Read-only queries over other folders' tables (partners' invitations and contacts, pitches' holders): who
// receives the minutes. minutes/ writes none of these tables.

/**
 * Every contact invited to the session who can still receive mail (active, not a colleague awaiting approval),
 * with their invitation; then the contacts marked present without an invitation (they came: they read the
 * minutes too), without one.
 */
export async function invitedForMinutes(db: Db, sessionId: number) {
  const invited = await db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select(['contact.id', 'contact.name', 'contact.email', 'contact.feed_version', 'invitation.id as invitationId', 'invitation.token_version as tokenVersion'])
    .where('invitation.session_id', '=', sessionId).where('contact.active', '=', 1).where('contact.pending', '=', 0)
    .orderBy('invitation.id').execute()
  const came = await db.selectFrom('attendance').innerJoin('contact', 'contact.id', 'attendance.contact_id')
    .select(['contact.id', 'contact.name', 'contact.email', 'contact.feed_version'])
    .where('attendance.session_id', '=', sessionId).where('attendance.presence', 'in', ['on_site', 'remote'])
    .where('contact.active', '=', 1).where('contact.pending', '=', 0).orderBy('attendance.id').execute()
  const seen = new Set(invited.map((c) => c.id))
  return [
    ...invited,
    ...came.filter((c) => !seen.has(c.id) && seen.add(c.id)).map((c) => ({ ...c, invitationId: null, tokenVersion: null })),
  ]
}

/** The holders of these pitches with their address and pitch link version (none without an address). */
export function holdersForMinutes(db: Db, pitchIds: number[]) {
  if (pitchIds.length === 0) return Promise.resolve([])
  return db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .select(['pitch.id as pitchId', 'pitch.token_version as tokenVersion', 'holder.id', 'holder.name', 'holder.email', 'holder.phone', 'holder.feed_version'])
    .where('pitch.id', 'in', pitchIds).orderBy('pitch.position').orderBy('pitch.id').execute()
}

/** The session of an invitation and of a pitch: where a reader's page finds its minutes. */
export async function sessionOfPitch(db: Db, pitchId: number): Promise<number | null> {
  const row = await db.selectFrom('pitch').select('session_id').where('id', '=', pitchId).executeTakeFirst()
  return row?.session_id ?? null
}
