import { type Kysely, PostgresAdapter, sql } from 'kysely'

// A counter per platform that the database raises whenever something a public page or feed shows changes
// (src/web/page-cache.ts serves those from memory while the counter stays the same). Triggers rather than
// application code, so that no write path — a seed, an import, a copy, a hand-made SQL fix — can forget it.
//
// Which tables, and how each row finds its platform. Contacts and holders are not listed: the personal feed
// looks its owner up on every request, so a changed or revoked link is seen at once.
const WATCHED: Array<{ table: string; platform: 'id' | 'platform_id' | 'session_id'; columns?: string[] }> = [
  { table: 'platform', platform: 'id' },
  { table: 'commune', platform: 'platform_id' },
  { table: 'venue', platform: 'platform_id' },
  { table: 'session', platform: 'platform_id' },
  { table: 'initiative', platform: 'platform_id' },
  { table: 'agenda_item', platform: 'session_id' },
  { table: 'pitch', platform: 'session_id' },
  // The worker's reminders (reminded_at) and the answers' comments show on no public page or feed.
  { table: 'invitation', platform: 'session_id', columns: ['session_id', 'contact_id', 'answer'] },
]

const isPostgres = (db: Kysely<any>) => db.getExecutor().adapter instanceof PostgresAdapter

export async function up(db: Kysely<any>): Promise<void> {
  // No foreign key: a row outliving its platform is harmless, and PostgreSQL's deferred triggers may still
  // fire for rows a platform's deletion removed.
  await db.schema.createTable('content_version')
    .addColumn('platform_id', 'integer', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute()
  await sql`insert into content_version (platform_id, version) select id, 1 from platform`.execute(db)

  if (isPostgres(db)) {
    // Deferred to the commit: the counter's row lock is taken last, so two transactions that lock
    // sessions in turn can never deadlock on it, and it is held only for the commit itself.
    await sql.raw(`
      create function content_changed() returns trigger language plpgsql as $$
      declare
        r jsonb;
        pid integer;
      begin
        if tg_op = 'DELETE' then r := to_jsonb(old); else r := to_jsonb(new); end if;
        if tg_argv[0] = 'session_id' then
          select platform_id into pid from session where id = (r->>'session_id')::integer;
        else
          pid := (r->>tg_argv[0])::integer;
        end if;
        if pid is not null then
          insert into content_version (platform_id, version) values (pid, 1)
            on conflict (platform_id) do update set version = content_version.version + 1;
        end if;
        return null;
      end $$`).execute(db)
    for (const w of WATCHED) {
      const update = w.columns ? `update of ${w.columns.join(', ')}` : 'update'
      await sql.raw(`create constraint trigger ${w.table}_content_changed after insert or ${update} or delete on ${w.table}
        deferrable initially deferred for each row execute function content_changed('${w.platform}')`).execute(db)
    }
    return
  }

  for (const w of WATCHED) {
    for (const event of ['insert', 'update', 'delete'] as const) {
      const row = event === 'delete' ? 'old' : 'new'
      const source = w.platform === 'session_id'
        ? `select platform_id, 1 from session where id = ${row}.session_id`
        : `select ${row}.${w.platform}, 1 where ${row}.${w.platform} is not null`
      const on = event === 'update' && w.columns ? `update of ${w.columns.join(', ')}` : event
      // "where true" lets SQLite tell the upsert's ON CONFLICT from a join constraint.
      await sql.raw(`create trigger ${w.table}_content_${event} after ${on} on ${w.table} begin
        insert into content_version (platform_id, version) select * from (${source}) where true
          on conflict (platform_id) do update set version = version + 1;
      end`).execute(db)
    }
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  const postgres = isPostgres(db)
  for (const w of WATCHED) {
    if (postgres) await sql.raw(`drop trigger ${w.table}_content_changed on ${w.table}`).execute(db)
    else for (const event of ['insert', 'update', 'delete']) await sql.raw(`drop trigger ${w.table}_content_${event}`).execute(db)
  }
  if (postgres) await sql.raw('drop function content_changed()').execute(db)
  await db.schema.dropTable('content_version').execute()
}
