import { type Kysely, PostgresAdapter } from 'kysely'

// Issue #23 (tracker 23): partners' "Accepter / Refuser / Peut-être" from their calendar (iTIP REPLY by email
// to the ORGANIZER mailbox, REPLY_IMAP_URL), read by the poller of replies/.
// - invitation.answer may now be 'tentative' ("peut-être", only ever from a calendar).
// - invitation.calendar_answered_at: the answered_at written with the last calendar answer. The answer is from
//   the calendar while answered_at still equals it: an answer given later on the link moves answered_at, so
//   the source reads as the link again without the link's code knowing about calendars (answerSource in
//   partners/calendar-answers.ts). invitation.answer_source is 'calendar' once a calendar answer was written
//   (null before; the link writes nothing there): it adds nothing to that comparison and is not read for it.
// - invitation.address_failed_at / address_failure: a bounce (delivery-status report) for the message sent to
//   this invitation's address: when, and the report's Status and diagnostic.
// - calendar_reply: every message the poller looked at, once per mailbox and Message-ID (the same message seen
//   twice is not applied twice): what it was (reply, bounce, other), what came of it (applied, stale, older,
//   unmatched, failing) and why. Personal columns (attendee_email, from_address, subject) are nullable, and the
//   invitation/session/platform links are set null or cascade, so erasure (#17) can blank a person's rows.
// - calendar_reply_state: the poller's state per mailbox: UIDVALIDITY and the last UID looked at (only newer
//   messages are fetched), last check, last success, last error, and the backoff while the server is down.
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter
  const id = (c: any) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement())

  await db.schema.alterTable('invitation').addColumn('answer_source', 'text').execute()
  await db.schema.alterTable('invitation').addColumn('calendar_answered_at', 'text').execute()
  await db.schema.alterTable('invitation').addColumn('address_failed_at', 'text').execute()
  await db.schema.alterTable('invitation').addColumn('address_failure', 'text').execute()

  await db.schema.createTable('calendar_reply')
    .addColumn('id', 'integer', id)
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('imap_uid', 'integer')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('platform_id', 'integer', (c) => c.references('platform.id').onDelete('cascade'))
    .addColumn('session_id', 'integer', (c) => c.references('session.id').onDelete('set null'))
    .addColumn('invitation_id', 'integer', (c) => c.references('invitation.id').onDelete('set null'))
    .addColumn('attendee_email', 'text')
    .addColumn('partstat', 'text')
    .addColumn('sequence', 'integer')
    .addColumn('dtstamp', 'text')
    .addColumn('from_address', 'text')
    .addColumn('subject', 'text')
    .addColumn('received_at', 'text')
    .addColumn('moved', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('calendar_reply_message').unique().on('calendar_reply').columns(['mailbox', 'message_id']).execute()
  await db.schema.createIndex('calendar_reply_platform').on('calendar_reply').columns(['platform_id', 'outcome']).execute()
  await db.schema.createIndex('calendar_reply_invitation').on('calendar_reply').column('invitation_id').execute()

  await db.schema.createTable('calendar_reply_state')
    .addColumn('mailbox', 'text', (c) => c.primaryKey())
    .addColumn('uid_validity', 'text')
    .addColumn('last_uid', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('calendar_reply_state').execute()
  await db.schema.dropTable('calendar_reply').execute()
  for (const c of ['address_failure', 'address_failed_at', 'calendar_answered_at', 'answer_source']) {
    await db.schema.alterTable('invitation').dropColumn(c).execute()
  }
}
