import type { Kysely } from 'kysely'

// Issue #17, first half: platforms created by an instance administrator.
// - platform.region: the date-holidays state whose public holidays differ from the country's (FR '57', '67',
//   '68' for Alsace-Moselle: Good Friday and 26 December), null for the national calendar.
// - platform.itinerant (0/1) and home_venue_id: a platform that meets at one fixed venue plans its sessions
//   there. No foreign key: venue references platform, and a cycle would break db:copy's parents-first order.
// - platform.skip_months: the months usually without a session ("1,8"), what the year planner proposes.
// - platform.archived_at: archived platforms are gone from public pages (410), their data kept. The slug stays
//   taken (the unique index holds archived rows too), so an archived platform's URLs never change owner.
// - facilitator.admin (0/1): the instance administrator role. One column, so a second factor can later be
//   required of exactly these accounts.
// - commune.code: the official code (INSEE in France, NIS in Belgium), from the imported list.
// platform and commune are watched by the page-cache triggers on every column: an archived or edited
// platform raises its content version, as it should.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('platform').addColumn('region', 'text').execute()
  await db.schema.alterTable('platform').addColumn('itinerant', 'integer', (c) => c.notNull().defaultTo(1)).execute()
  await db.schema.alterTable('platform').addColumn('home_venue_id', 'integer').execute()
  await db.schema.alterTable('platform').addColumn('skip_months', 'text', (c) => c.notNull().defaultTo('1,8')).execute()
  await db.schema.alterTable('platform').addColumn('archived_at', 'text').execute()
  await db.schema.alterTable('facilitator').addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('commune').addColumn('code', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('commune').dropColumn('code').execute()
  await db.schema.alterTable('facilitator').dropColumn('admin').execute()
  for (const column of ['archived_at', 'skip_months', 'home_venue_id', 'itinerant', 'region']) {
    await db.schema.alterTable('platform').dropColumn(column).execute()
  }
}
