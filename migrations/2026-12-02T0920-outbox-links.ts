import type { Kysely } from 'kysely'

// Issue #25 §4: the outbox no longer keeps personal links in clear (mail/links.ts stores references). Messages
// written before that kept them in their text and HTML: those that will never be sent again (sent, replaced)
// lose them here. Queued and failed ones keep theirs until they leave or their content is purged (after the
// retention, mail/retention.ts): they still have to be delivered, or may be sent again, as written.
// The migration cannot write references instead: it knows no secret (migrations import nothing from src/).

const LINK = /https?:\/\/[^\s"'<>]+?\/(?:(?:rsvp|pitch)\/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])|feeds\/[A-Za-z0-9_-]{43}\.ics)/g
const REMOVED = '(lien personnel retiré)'
const BATCH = 500

export async function up(db: Kysely<any>): Promise<void> {
  let after = 0
  for (;;) {
    const rows: Array<{ id: number; text_body: string; html_body: string }> = await db.selectFrom('outbox')
      .select(['id', 'text_body', 'html_body'])
      .where('id', '>', after).where('status', 'in', ['sent', 'superseded'])
      .orderBy('id').limit(BATCH).execute()
    if (rows.length === 0) return
    for (const row of rows) {
      const text = row.text_body.replace(LINK, REMOVED)
      const html = row.html_body.replace(LINK, REMOVED)
      if (text !== row.text_body || html !== row.html_body) {
        await db.updateTable('outbox').set({ text_body: text, html_body: html }).where('id', '=', row.id).execute()
      }
    }
    after = rows[rows.length - 1]!.id
  }
}

export async function down(): Promise<void> {
  // The links removed cannot be written back.
}
