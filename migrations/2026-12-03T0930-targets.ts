import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #21 (tracker 21): the targets a facilitator sets for a platform's year, one row per indicator key
// (indicators/: 'sessionsHeld', 'pitches', … — the report.json field names). No target for a key: no row.
// RGPD: nothing personal but updated_by, the facilitator who saved it last (set null when that account goes).
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())
  await db.schema.createTable('target')
    .addColumn('id', 'integer', id)
    .addColumn('platform_id', 'integer', (c) => c.notNull().references('platform.id').onDelete('cascade'))
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('indicator', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('target_platform_year_indicator').unique().on('target').columns(['platform_id', 'year', 'indicator']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('target').execute()
}
