import type { Kysely } from 'kysely'

// "Rétablir la séance" (#24 §6): a cancelled session remembers what it was before (draft or published) and
// when it was cancelled, so that the facilitator can put it back as it was while its date is still ahead, and
// the cancellation messages of that one burst can be told apart (withdrawn while still queued, answered by a
// fresh REQUEST once they left). Both are cleared when the session is restored. RGPD: nothing personal.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').addColumn('cancelled_from', 'text').execute()
  await db.schema.alterTable('session').addColumn('cancelled_at', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').dropColumn('cancelled_at').execute()
  await db.schema.alterTable('session').dropColumn('cancelled_from').execute()
}
