import type { Kysely } from 'kysely'

// Issue #20 (tracker 20), an initiative's journey: the record of a pitch keeps the stage the initiative had
// before the pitch (stage_before) beside the stage after it (stage_after), so that a stage change is dated
// by the pitch's session and reads "idée → projet". record/ writes both; the initiative's own stage is
// updated through pitches/stage.ts.
// RGPD: nothing personal (a stage key, like stage_after): kept when a person is erased.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pitch_record').addColumn('stage_before', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pitch_record').dropColumn('stage_before').execute()
}
