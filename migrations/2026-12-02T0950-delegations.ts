import type { Kysely } from 'kysely'

// Issue #25 §2 and §6, partners' side.
// - A colleague named by "Je me fais remplacer" is a pending contact until a facilitator confirms them
//   (contact.pending): invited to that one session, absent from the directory and from "invite everyone".
// - The delegator's invitation remembers whom it named (delegate_contact_id: a deactivated contact is not
//   invited, and the facilitator's table says so) and how many colleagues it named (delegations, capped).
// - An organisation's delegations are capped per day (partner.delegation_day, the platform's calendar day,
//   and delegation_count, the number named that day).
// - A contact's personal feed link has a version (contact.feed_version), so it can be replaced.
// Neither contact nor partner is watched by the page-cache triggers; invitation's triggers fire on
// session_id, contact_id and answer only, so the new columns change nothing there.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('contact').addColumn('pending', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('contact').addColumn('feed_version', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('invitation')
    .addColumn('delegate_contact_id', 'integer', (c) => c.references('contact.id').onDelete('set null')).execute()
  await db.schema.alterTable('invitation').addColumn('delegations', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('partner').addColumn('delegation_day', 'text').execute()
  await db.schema.alterTable('partner').addColumn('delegation_count', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.createIndex('contact_pending').on('contact').columns(['pending', 'partner_id']).execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('contact_pending').execute()
  await db.schema.alterTable('partner').dropColumn('delegation_count').execute()
  await db.schema.alterTable('partner').dropColumn('delegation_day').execute()
  await db.schema.alterTable('invitation').dropColumn('delegations').execute()
  await db.schema.alterTable('invitation').dropColumn('delegate_contact_id').execute()
  await db.schema.alterTable('contact').dropColumn('feed_version').execute()
  await db.schema.alterTable('contact').dropColumn('pending').execute()
}
