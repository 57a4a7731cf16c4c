import type { Kysely } from 'kysely'

// Trackers 22 and 23: what a platform's facilitators set on its settings page for personal data and for the
// calendar answers, and the state of the retention job.
// - platform.privacy_notice: the notice as the facilitator wrote it (plain text: blank lines between
//   paragraphs, "## " headings, "- " list items); null: the default made from the platform (privacy/notice.ts).
// - platform.retention_months: personal data of holders and contacts with no activity for this many months is
//   erased by the background job (default 36).
// - platform.reply_imap_url: the platform's own ORGANIZER mailbox (imaps://user@host:993/INBOX), written
//   without its password; null: the instance's REPLY_IMAP_URL, if any. reply_imap_secret: the password, sealed
//   with web/secret-box.ts (a key derived from SESSION_SECRET, purpose 'reply-imap'); never shown back.
//   None of these columns is about a person (the structure's mailbox), so privacy/tables.ts keeps them.
// - retention_run: per platform, the next run of the retention job, announced to its facilitators a week
//   before (run_at = announced_at + 7 days): who is erased then is who had no activity since `cutoff`. Figures
//   only (how many holders, contacts, other people); no personal data; cascades with the platform.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('platform').addColumn('privacy_notice', 'text').execute()
  await db.schema.alterTable('platform').addColumn('retention_months', 'integer', (c) => c.notNull().defaultTo(36)).execute()
  await db.schema.alterTable('platform').addColumn('reply_imap_url', 'text').execute()
  await db.schema.alterTable('platform').addColumn('reply_imap_secret', 'text').execute()
  await db.schema.createTable('retention_run')
    .addColumn('platform_id', 'integer', (c) => c.primaryKey().references('platform.id').onDelete('cascade'))
    .addColumn('cutoff', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('announced_at', 'text', (c) => c.notNull())
    .addColumn('holders', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('contacts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('others', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('done_at', 'text')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('retention_run').execute()
  for (const c of ['reply_imap_secret', 'reply_imap_url', 'retention_months', 'privacy_notice']) {
    await db.schema.alterTable('platform').dropColumn(c).execute()
  }
}
