import type { Db } from '../db/schema.js'

// minutes/'s own tables: the draft (minutes_draft, minutes_pitch_text) and the sent versions (minutes_version).

export function findDraft(db: Db, sessionId: number) {
  return db.selectFrom('minutes_draft').selectAll().where('session_id', '=', sessionId).executeTakeFirst()
}

export function pitchTexts(db: Db, sessionId: number) {
  return db.selectFrom('minutes_pitch_text').selectAll().where('session_id', '=', sessionId).execute()
}

export interface DraftInput {
  intro: string | null
  /** The text of each pitch, by pitch id; null: the record's summary. */
  texts: Map<number, string | null>
}

/** Saves the draft of a session's minutes (in the caller's transaction): the introduction and each pitch's text. */
export async function saveDraft(db: Db, sessionId: number, input: DraftInput, by: number | null, now: string): Promise<void> {
  const existing = await findDraft(db, sessionId)
  if (existing) await db.updateTable('minutes_draft').set({ intro: input.intro, updated_by: by, updated_at: now }).where('id', '=', existing.id).execute()
  else await db.insertInto('minutes_draft').values({ session_id: sessionId, intro: input.intro, updated_by: by, created_at: now, updated_at: now }).execute()
  const stored = new Map((await pitchTexts(db, sessionId)).map((t) => [t.pitch_id, t]))
  for (const [pitchId, text] of input.texts) {
    const row = stored.get(pitchId)
    if (row && row.text === text) continue
    if (row) await db.updateTable('minutes_pitch_text').set({ text, updated_by: by, updated_at: now }).where('id', '=', row.id).execute()
    else if (text !== null) await db.insertInto('minutes_pitch_text').values({ session_id: sessionId, pitch_id: pitchId, text, updated_by: by, updated_at: now }).execute()
  }
}

/** Every sent version of a session's minutes, latest first. */
export function sentVersions(db: Db, sessionId: number) {
  return db.selectFrom('minutes_version').selectAll().where('session_id', '=', sessionId).orderBy('version', 'desc').execute()
}

export async function latestVersionNumber(db: Db, sessionId: number): Promise<number> {
  const row = await db.selectFrom('minutes_version').select((eb) => eb.fn.max('version').as('v')).where('session_id', '=', sessionId).executeTakeFirst()
  return Number(row?.v ?? 0)
}

export async function insertVersion(db: Db, v: { sessionId: number; version: number; document: string; partners: number; holders: number; by: number | null }, now: string): Promise<number> {
  const row = await db.insertInto('minutes_version').values({
    session_id: v.sessionId, version: v.version, document: v.document, partner_count: v.partners, holder_count: v.holders, sent_by: v.by, sent_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}
