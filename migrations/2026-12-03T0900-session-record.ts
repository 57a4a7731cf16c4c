import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #14 (tracker 19): what happened at the table, and the referrals that follow.
// - attendance: who was there, one row per person and session. A partner contact (contact_id) or a holder
//   (holder_id) expected from the answers and pitches, or a walk-in (both null: name, organisation, email).
//   partner_id is the organisation counted for the session (the contact's, or a walk-in's known partner).
//   presence: 'on_site' | 'remote' | 'absent'. Two facilitators saving at once merge by person (record/).
// - pitch_record: the facilitator's record of one pitch: summary, next steps, the initiative's stage after the
//   pitch, "à revoir" (revisit, with the later session offered). version guards concurrent edits.
// - advice gains source ('written': through an excused partner's link; 'table': said at the session) and
//   author_name (a walk-in or a person who is not a contact; null otherwise).
// - referral: an orientation of an initiative (from one pitch) to a partner organisation, optionally a contact;
//   status 'proposed' | 'contacted' | 'in_progress' | 'succeeded' | 'dropped'; follow_up_on a date; the
//   partner's personal link (token_hash, as /rsvp/: SHA-256 of a derived token); reminded_at once overdue.
//   share_contact: the holder agreed that this partner receives their contact details.
// - referral_event: the dated history of a referral (status change and/or note), and who made it.
// - holder.shares_contact: the booking form's optional consent to hand the contact details to referred partners.
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  await db.schema.createTable('attendance')
    .addColumn('id', 'integer', id)
    .addColumn('session_id', 'integer', (c) => c.notNull().references('session.id').onDelete('cascade'))
    .addColumn('contact_id', 'integer', (c) => c.references('contact.id').onDelete('set null'))
    .addColumn('holder_id', 'integer', (c) => c.references('holder.id').onDelete('set null'))
    .addColumn('partner_id', 'integer', (c) => c.references('partner.id').onDelete('set null'))
    .addColumn('name', 'text')
    .addColumn('organisation', 'text')
    .addColumn('email', 'text')
    .addColumn('presence', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('attendance_session_contact').unique().on('attendance').columns(['session_id', 'contact_id']).execute()
  await db.schema.createIndex('attendance_session_holder').unique().on('attendance').columns(['session_id', 'holder_id']).execute()

  await db.schema.createTable('pitch_record')
    .addColumn('pitch_id', 'integer', (c) => c.primaryKey().references('pitch.id').onDelete('cascade'))
    .addColumn('summary', 'text')
    .addColumn('next_steps', 'text')
    .addColumn('stage_after', 'text')
    .addColumn('revisit', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('revisit_session_id', 'integer', (c) => c.references('session.id').onDelete('set null'))
    .addColumn('revisit_offered_at', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('updated_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema.alterTable('advice').addColumn('source', 'text', (c) => c.notNull().defaultTo('written')).execute()
  await db.schema.alterTable('advice').addColumn('author_name', 'text').execute()
  await db.schema.alterTable('advice').addColumn('recorded_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null')).execute()

  await db.schema.createTable('referral')
    .addColumn('id', 'integer', id)
    .addColumn('pitch_id', 'integer', (c) => c.notNull().references('pitch.id').onDelete('cascade'))
    .addColumn('initiative_id', 'integer', (c) => c.notNull().references('initiative.id').onDelete('cascade'))
    .addColumn('partner_id', 'integer', (c) => c.notNull().references('partner.id').onDelete('cascade'))
    .addColumn('contact_id', 'integer', (c) => c.references('contact.id').onDelete('set null'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('follow_up_on', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('proposed'))
    .addColumn('share_contact', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reminded_at', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('referral_partner').on('referral').columns(['partner_id', 'status']).execute()
  await db.schema.createIndex('referral_pitch').on('referral').column('pitch_id').execute()

  await db.schema.createTable('referral_event')
    .addColumn('id', 'integer', id)
    .addColumn('referral_id', 'integer', (c) => c.notNull().references('referral.id').onDelete('cascade'))
    .addColumn('status', 'text')
    .addColumn('note', 'text')
    .addColumn('by_kind', 'text', (c) => c.notNull())
    .addColumn('by_facilitator_id', 'integer', (c) => c.references('facilitator.id').onDelete('set null'))
    .addColumn('by_contact_id', 'integer', (c) => c.references('contact.id').onDelete('set null'))
    .addColumn('by_name', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('referral_event_referral').on('referral_event').column('referral_id').execute()

  await db.schema.alterTable('holder').addColumn('shares_contact', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  // Nothing to backfill: earlier bookings never asked, so they did not agree.
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('holder').dropColumn('shares_contact').execute()
  await db.schema.dropTable('referral_event').execute()
  await db.schema.dropTable('referral').execute()
  await db.schema.alterTable('advice').dropColumn('recorded_by').execute()
  await db.schema.alterTable('advice').dropColumn('author_name').execute()
  await db.schema.alterTable('advice').dropColumn('source').execute()
  await db.schema.dropTable('pitch_record').execute()
  await db.schema.dropTable('attendance').execute()
}
