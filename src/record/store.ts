import type { Attendance, Db, Presence } from '../db/schema.js'
import { nextStamp } from './attendance.js'

// record/'s own tables: attendance (who was at a session) and pitch_record (the facilitator's record of a pitch).

export function sessionAttendanceRows(db: Db, sessionId: number) {
  return db.selectFrom('attendance').selectAll().where('session_id', '=', sessionId).orderBy('id').execute()
}

/** Who a row is: the key of attendance.ts's Person. */
export function personKey(row: Pick<Attendance, 'id' | 'contact_id' | 'holder_id'>): string {
  return row.contact_id !== null ? `c${row.contact_id}` : row.holder_id !== null ? `h${row.holder_id}` : `w${row.id}`
}

export interface PersonRef { contactId: number | null; holderId: number | null; partnerId: number | null; name: string | null; organisation: string | null; email: string | null }

/**
 * Writes one person's mark, by person: the row of this contact, holder or walk-in if there is one (its stamp
 * strictly later than before), a new row otherwise. Runs in the caller's transaction, under the session's lock.
 */
export async function upsertPresence(db: Db, sessionId: number, existing: Attendance | undefined, who: PersonRef, presence: Presence, by: number | null, now: string) {
  if (existing) {
    await db.updateTable('attendance').set({ presence, recorded_by: by, updated_at: nextStamp(now, existing.updated_at) }).where('id', '=', existing.id).execute()
    return existing.id
  }
  const row = await db.insertInto('attendance').values({
    session_id: sessionId, contact_id: who.contactId, holder_id: who.holderId, partner_id: who.partnerId,
    name: who.name, organisation: who.organisation, email: who.email, presence, recorded_by: by, created_at: now, updated_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export function findPitchRecord(db: Db, pitchId: number) {
  return db.selectFrom('pitch_record').selectAll().where('pitch_id', '=', pitchId).executeTakeFirst()
}

export function pitchRecords(db: Db, pitchIds: number[]) {
  if (pitchIds.length === 0) return Promise.resolve([])
  return db.selectFrom('pitch_record').selectAll().where('pitch_id', 'in', pitchIds).execute()
}

export interface RecordFields {
  summary: string | null
  next_steps: string | null
  stage_after: string | null
  revisit: 0 | 1
  revisit_session_id: number | null
}

/**
 * Saves the record of a pitch if it is still at `version` (0: none yet): true when saved, false when a
 * colleague saved in between (the caller tells the facilitator to reload). The version goes up by one.
 * `stageBefore`: the initiative's stage before the pitch (rules.ts stageMove).
 */
export async function savePitchRecord(db: Db, pitchId: number, version: number, fields: RecordFields, stageBefore: string | null, offeredAt: string | null, by: number | null, now: string): Promise<boolean> {
  if (version === 0) {
    const inserted = await db.insertInto('pitch_record').values({
      pitch_id: pitchId, ...fields, stage_before: stageBefore, revisit_offered_at: offeredAt, version: 1, updated_by: by, created_at: now, updated_at: now,
    }).onConflict((oc) => oc.column('pitch_id').doNothing()).executeTakeFirst()
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1
  }
  const updated = await db.updateTable('pitch_record')
    .set({ ...fields, stage_before: stageBefore, revisit_offered_at: offeredAt, version: version + 1, updated_by: by, updated_at: now })
    .where('pitch_id', '=', pitchId).where('version', '=', version).executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}

/** The session's attendance rows with the names the screen shows (a contact's or holder's own, a walk-in's typed one). */
export function attendanceWithNames(db: Db, sessionId: number) {
  return db.selectFrom('attendance')
    .leftJoin('contact', 'contact.id', 'attendance.contact_id')
    .leftJoin('holder', 'holder.id', 'attendance.holder_id')
    .leftJoin('partner', 'partner.id', 'attendance.partner_id')
    .selectAll('attendance')
    .select(['contact.name as contact_name', 'holder.name as holder_name', 'partner.name as partner_name'])
    .where('attendance.session_id', '=', sessionId).orderBy('attendance.id').execute()
}

export type AttendanceRow = Awaited<ReturnType<typeof attendanceWithNames>>[number]
