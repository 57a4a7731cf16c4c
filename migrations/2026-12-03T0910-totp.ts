import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #17: two-factor login (TOTP, RFC 6238) for facilitators and administrators (platforms/totp*.ts).
// - facilitator_totp: one row per account that has turned it on (enrolment is confirmed with a code before the
//   row exists). secret_box: the shared secret, encrypted with AES-256-GCM under a key derived from
//   SESSION_SECRET (web/secret-box.ts), so a copy of the database alone computes no code. last_counter: the
//   30-second step of the last code accepted; a code of that step or an earlier one is refused (no replay).
// - facilitator_recovery_code: ten codes shown once at enrolment, only their SHA-256 kept; used_at set when one
//   replaces a code (single use).
// - platform.require_totp: 1 when an administrator requires two-factor login of the platform's facilitators
//   (an account without it enrols right after its password, before any page opens).
// Erasure (RGPD, tracker 22): both tables hold only staff security data, nothing about a resident. Every row
// cascades with its facilitator account (ON DELETE CASCADE), and disabling or an administrator's reset deletes
// them; no column names or describes a person.
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  await db.schema.createTable('facilitator_totp')
    .addColumn('facilitator_id', 'integer', (c) => c.primaryKey().references('facilitator.id').onDelete('cascade'))
    .addColumn('secret_box', 'text', (c) => c.notNull())
    .addColumn('last_counter', 'integer')
    .addColumn('enabled_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createTable('facilitator_recovery_code')
    .addColumn('id', 'integer', (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('facilitator_id', 'integer', (c) => c.notNull().references('facilitator.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute()
  await db.schema.alterTable('platform').addColumn('require_totp', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.createIndex('facilitator_recovery_code_owner').on('facilitator_recovery_code').columns(['facilitator_id', 'code_hash']).unique().execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('platform').dropColumn('require_totp').execute()
  await db.schema.dropTable('facilitator_recovery_code').execute()
  await db.schema.dropTable('facilitator_totp').execute()
}
