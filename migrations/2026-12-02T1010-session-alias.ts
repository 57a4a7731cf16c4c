import type { Kysely } from 'kysely'

// A session that moves to another day keeps its earlier dates here, so every URL sent before the move
// (/{platform}/sessions/{old date}, its .ics, in every earlier email) still leads to it (CONTRACT.md: a changed
// name keeps the old one working).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('session_alias')
    .addColumn('platform_id', 'integer', (c) => c.notNull().references('platform.id').onDelete('cascade'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('session_id', 'integer', (c) => c.notNull().references('session.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('session_alias_pk', ['platform_id', 'date'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('session_alias').execute()
}
