import { type Kysely, sql } from 'kysely'

// A personal link that was replaced (a new version), revoked or erased keeps answering 410 with a French
// page instead of 404: its hash is kept here (never the token), with the platform whose team the page names.
// Invitations kept one previous hash in their own row; those move here, so every earlier version is known.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('retired_link')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('platform_id', 'integer', (c) => c.notNull().references('platform.id').onDelete('cascade'))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text', (c) => c.notNull())
    .execute()
  await sql`insert into retired_link (token_hash, purpose, platform_id, reason, retired_at)
    select invitation.previous_token_hash, 'rsvp', session.platform_id, 'replaced', invitation.updated_at
    from invitation inner join session on session.id = invitation.session_id
    where invitation.previous_token_hash is not null`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('retired_link').execute()
}
