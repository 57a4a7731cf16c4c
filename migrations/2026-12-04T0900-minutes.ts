import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #20 (tracker 20): the minutes (compte rendu) of a session, drafted then sent, kept as sent.
// - minutes_draft: the facilitator's introduction for one session's minutes (one row per session).
// - minutes_pitch_text: the facilitator's text for one pitch in the minutes, replacing the record's summary.
// - minutes_version: each sent version of a session's minutes (1, then 2 for "compte rendu corrigé", …): the
//   whole document as sent (JSON), how many partners and holders received it, when and by whom.
// RGPD (#17 / tracker 22): every row cascades with its session (or pitch); the free text (intro, text, and the
// sent document, which names holders and partner people) is scrubbed by person:erase of every name, address and
// phone of the person erased (privacy/tables.ts rule `text`), like advice and pitch_record; sent_by and
// updated_by are staff and set null when the account goes.
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  await db.schema.createTable('minutes_draft')
    .addColumn('id', 'integer', id)
    .addColumn('session_id', 'integer', (c) => c.notNull().unique().references('session.id').onDelete('cascade'))
    .addColumn('intro', 'text')
    .addColumn('updated_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema.createTable('minutes_pitch_text')
    .addColumn('id', 'integer', id)
    .addColumn('session_id', 'integer', (c) => c.notNull().references('session.id').onDelete('cascade'))
    .addColumn('pitch_id', 'integer', (c) => c.notNull().unique().references('pitch.id').onDelete('cascade'))
    .addColumn('text', 'text')
    .addColumn('updated_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('minutes_pitch_text_session').on('minutes_pitch_text').column('session_id').execute()

  await db.schema.createTable('minutes_version')
    .addColumn('id', 'integer', id)
    .addColumn('session_id', 'integer', (c) => c.notNull().references('session.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('partner_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('holder_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('sent_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute()
  // One version number per session: two sends racing for the same number, the second fails and sends nothing.
  await db.schema.createIndex('minutes_version_session').unique().on('minutes_version').columns(['session_id', 'version']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('minutes_version').execute()
  await db.schema.dropTable('minutes_pitch_text').execute()
  await db.schema.dropTable('minutes_draft').execute()
}
