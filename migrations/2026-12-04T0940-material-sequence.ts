import { sql, type Kysely } from 'kysely'

// A session's SEQUENCE also rises for one person alone: a CANCEL to an uninvited partner or to one who sent a
// colleague (RFC 5546 §3.2.5) carries a higher SEQUENCE, which the other partners never receive. Their copies
// keep the SEQUENCE of the last change sent to everyone, so a calendar reply is judged against that one
// (material_sequence: the SEQUENCE of the last change of date, time, place, mode, link or status), not the
// session's latest. Existing sessions start with their current SEQUENCE. RGPD: nothing personal.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').addColumn('material_sequence', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await sql`update session set material_sequence = sequence`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('session').dropColumn('material_sequence').execute()
}
