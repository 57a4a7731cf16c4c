import type { Db } from '../db/schema.js'

// The initiative's stage as the session's record moves it (record/ calls this: pitches/ owns the initiative).

/** The initiative's current stage (null: none said yet), read in the caller's transaction. */
export async function initiativeStage(db: Db, initiativeId: number): Promise<string | null> {
  const row = await db.selectFrom('initiative').select('stage').where('id', '=', initiativeId).executeTakeFirst()
  return row?.stage ?? null
}

/** Sets the initiative's stage; runs in the caller's transaction. */
export async function setInitiativeStage(db: Db, initiativeId: number, stage: string | null, now: string): Promise<void> {
  await db.updateTable('initiative').set({ stage, updated_at: now }).where('id', '=', initiativeId).execute()
}
