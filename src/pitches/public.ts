import type { Db } from '../db/schema.js'

// What the public sees of pitches: how many slots are free, and each held slot's title only if the holder
// agreed ("Présentation d'une initiative — {commune}" otherwise). Waiting holders never appear.

/** Pitch slots that no booking holds (pending and confirmed bookings hold a slot). */
export async function freeSlotsBySession(db: Db, sessions: Array<{ id: number; pitch_slots: number }>): Promise<Map<number, number>> {
  const result = new Map(sessions.map((s) => [s.id, s.pitch_slots]))
  if (sessions.length === 0) return result
  const held = await db.selectFrom('pitch').select(['session_id', db.fn.countAll<number>().as('n')])
    .where('session_id', 'in', sessions.map((s) => s.id)).where('status', 'in', ['pending', 'confirmed'])
    .groupBy('session_id').execute()
  for (const h of held) result.set(h.session_id, Math.max(0, (result.get(h.session_id) ?? 0) - Number(h.n)))
  return result
}

export interface PublicPitch { position: number; label: string }

/**
 * One entry per held slot, in slot order (the same rank as the times in holders' emails). A title shows only
 * for a confirmed pitch whose holder agreed; a pending one holds its slot under the generic label.
 */
export async function publicAgendaPitches(db: Db, sessionId: number): Promise<PublicPitch[]> {
  const rows = await db.selectFrom('pitch')
    .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
    .leftJoin('commune', 'commune.id', 'initiative.commune_id')
    .select(['pitch.position', 'pitch.status', 'pitch.public_title', 'initiative.title', 'commune.name as commune'])
    .where('pitch.session_id', '=', sessionId).where('pitch.status', 'in', ['pending', 'confirmed'])
    .orderBy('pitch.position').orderBy('pitch.id').execute()
  return rows.map((r) => ({
    position: r.position,
    label: r.status === 'confirmed' && r.public_title ? r.title : `Présentation d'une initiative${r.commune ? ` — ${r.commune}` : ''}`,
  }))
}
