import type { Kysely } from 'kysely'

// Reading a holder's pitches (the retention job's activity scan, a person's export and erasure) went through
// pitch without an index on holder_id: a scan of every pitch per holder, about four minutes on the bench's
// national dataset, while the job held the database connection. RGPD: an index, nothing personal.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('pitch_holder').on('pitch').column('holder_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('pitch_holder').execute()
}
