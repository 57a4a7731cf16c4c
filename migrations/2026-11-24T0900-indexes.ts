import type { Kysely } from 'kysely'

// Found by `npm run bench` (EXPLAIN QUERY PLAN): the venue list scanned every platform's venues, and the
// reminder query of the mail worker scanned every session every few seconds.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('venue_platform').on('venue').column('platform_id').execute()
  await db.schema.createIndex('session_status_starts').on('session').columns(['status', 'starts_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('session_status_starts').execute()
  await db.schema.dropIndex('venue_platform').execute()
}
