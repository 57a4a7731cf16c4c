import type { Kysely } from 'kysely'

// Indexes for the facilitator's pages on the bench's national dataset (issue #26). RGPD: indexes, nothing personal.
// - contact_pending (pending, partner_id) led SQLite's planner astray: "active, not pending contacts of this
//   platform" (the RSVP table's organisations still to invite, the record's contact list, "invite everyone")
//   started from every contact of every platform with pending = 0 (15,000, about 5 ms a page) instead of the
//   platform's organisations. The same columns the other way round serve the per-organisation lookups and the
//   pending contacts of a platform (through its organisations), and pending = ? alone no longer matches an index.
// - A person's export and erasure look their rows up by contact or holder: advice, referrals and referral
//   events by contact, initiatives by holder were scans of the whole table (an OR of two columns needs an index
//   on each).
const ADDED: Array<[name: string, table: string, columns: string[]]> = [
  ['contact_partner_pending', 'contact', ['partner_id', 'pending']],
  ['advice_contact', 'advice', ['contact_id']],
  ['referral_contact', 'referral', ['contact_id']],
  ['referral_event_by_contact', 'referral_event', ['by_contact_id']],
  ['initiative_holder_holder', 'initiative_holder', ['holder_id']],
]

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('contact_pending').execute()
  for (const [name, table, columns] of ADDED) await db.schema.createIndex(name).on(table).columns(columns).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of ADDED) await db.schema.dropIndex(name).execute()
  await db.schema.createIndex('contact_pending').on('contact').columns(['pending', 'partner_id']).execute()
}
