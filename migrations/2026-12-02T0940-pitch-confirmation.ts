import { type Kysely, sql } from 'kysely'

// Issue #25: a booking from the public form holds its slot only briefly until its holder confirms their
// address from the emailed link (pitch.address_confirmed_at, pitch.hold_until); the emailed link is a
// personal link of its own (pitch.confirm_token_hash); a double submit is recognised by the form's nonce
// (pitch.form_nonce_hash), not by the email. The hold's length is the platform's (platform.booking_hold_hours).
// A holder's calendar feed link can be replaced (holder.feed_version). One column per statement: SQLite adds
// one column per ALTER TABLE.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('pitch').addColumn('address_confirmed_at', 'text').execute()
  await db.schema.alterTable('pitch').addColumn('hold_until', 'text').execute()
  await db.schema.alterTable('pitch').addColumn('form_nonce_hash', 'text').execute()
  await db.schema.alterTable('pitch').addColumn('confirm_token_hash', 'text').execute()
  // Every booking made before this change counts as confirmed: its holder has had its emails all along, and
  // the worker must not release it.
  await sql`update pitch set address_confirmed_at = created_at`.execute(db)
  await db.schema.createIndex('pitch_form_nonce').on('pitch').column('form_nonce_hash').unique().execute()
  await db.schema.createIndex('pitch_confirm_token').on('pitch').column('confirm_token_hash').unique().execute()
  // The worker's beat looks for lapsed holds every few seconds.
  await db.schema.createIndex('pitch_hold_until').on('pitch').column('hold_until').execute()
  await db.schema.alterTable('platform').addColumn('booking_hold_hours', 'integer', (c) => c.notNull().defaultTo(48)).execute()
  await db.schema.alterTable('holder').addColumn('feed_version', 'integer', (c) => c.notNull().defaultTo(0)).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('holder').dropColumn('feed_version').execute()
  await db.schema.alterTable('platform').dropColumn('booking_hold_hours').execute()
  await db.schema.dropIndex('pitch_hold_until').execute()
  await db.schema.dropIndex('pitch_confirm_token').execute()
  await db.schema.dropIndex('pitch_form_nonce').execute()
  for (const column of ['confirm_token_hash', 'form_nonce_hash', 'hold_until', 'address_confirmed_at']) {
    await db.schema.alterTable('pitch').dropColumn(column).execute()
  }
}
