import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #17, second half: one-time links of facilitator accounts (platforms/accounts.ts).
// - purpose 'reset': "Mot de passe oublié", valid 1 hour; 'invitation': a colleague invited to a platform
//   (platform_id), valid 7 days, to choose a password.
// - token_hash: SHA-256 of the emailed token (an HMAC of the row under SESSION_SECRET, web/tokens.ts), so the
//   database alone opens nothing; used_at set when the link is used (single use: 410 afterwards).
// - facilitator_id: the account a reset changes; null for an invitation until it is accepted (the address and
//   name wait in email / name).
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  await db.schema.createTable('facilitator_token')
    .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('facilitator_id', 'integer', (c) => c.references('facilitator.id').onDelete('cascade'))
    .addColumn('platform_id', 'integer', (c) => c.references('platform.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema.createIndex('facilitator_token_email').on('facilitator_token').columns(['email', 'purpose']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('facilitator_token').execute()
}
