import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #17 (tracker 22): the audit trail of what facilitators and operators do with personal data.
// - audit_event: one row per action that reads in bulk, exports, changes or erases personal data (who, what,
//   whom, when, from which address). It never holds the personal data itself: `subject` names rows by table
//   and id ("holder:12 contact:7"), `detail` is JSON of counts. So it survives the person's erasure unchanged
//   and is itself erasable by the RGPD rules without losing anything (src/privacy/tables.ts: nothing in it
//   identifies the person acted upon).
// - actor_kind 'facilitator' (actor_facilitator_id set, set null if the account goes), 'operator' (the
//   npm run person:* scripts) or 'system' (the retention job). address: the client address of a web action.
// - platform_id: whose trail it is (facilitators of that platform read it); cascade: a platform's trail goes
//   with it (platforms are archived, never deleted, in practice).
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  await db.schema.createTable('audit_event')
    .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('platform_id', 'integer', (c) => c.references('platform.id').onDelete('cascade'))
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_facilitator_id', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('detail', 'text')
    .addColumn('address', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('audit_event_platform').on('audit_event').columns(['platform_id', 'created_at']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_event').execute()
}
