import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { type DatabaseConnection, Kysely, sql, SqliteDialect, SqliteDriver } from 'kysely'
import { expect, it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.js'
import type { Database } from '../../src/db/schema.js'
import { Client, createPlatform } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { appOn, bookingCounts, inspect } from './sqlite.js'

class FabrikSqliteDriver extends SqliteDriver {
  constructor(private readonly sqlite: SQLite.Database) { super({ database: sqlite }) }
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.sqlite.inTransaction) await super.rollbackTransaction(connection)
  }
}
class FabrikSqliteDialect extends SqliteDialect {
  constructor(private readonly sqlite: SQLite.Database) { super({ database: sqlite }) }
  override createDriver() { return new FabrikSqliteDriver(this.sqlite) }
}

it('fix check', async () => {
  const mp = mkdtempSync(join(tmpdir(), 'fabrik-tmpfs-'))
  expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mp]).status).toBe(0)
  try {
    const s = new SQLite(join(mp, 'fabrik.sqlite'), { timeout: 5000 })
    s.pragma('journal_mode = WAL'); s.pragma('synchronous = FULL'); s.pragma('foreign_keys = ON')
    const db = new Kysely<Database>({ dialect: new FabrikSqliteDialect(s) })
    await migrateToLatest(db)
    await publishedSession(db, await createPlatform(db))
    const app = await appOn(db, mp)
    expect((await new Client(app).submit('/test/sessions/2026-12-18/pitch', bookingFields(1))).statusCode).toBe(303)
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(db)
    const fd = openSync(join(mp, 'ballast'), 'w')
    for (const size of [262144, 4096, 512, 1]) { const b = Buffer.alloc(size); for (;;) { try { writeSync(fd, b) } catch { break } } }
    closeSync(fd)
    const c = new Client(app)
    const r = await c.submit('/test/sessions/2026-12-18/pitch', bookingFields(2))
    console.log('FULL ->', r.statusCode, r.headers['retry-after'])
    for (const u of ['/healthz', '/test', '/test/sessions/2026-12-18', '/test/sessions.json', '/test/calendar.ics', '/test/sessions/2026-12-18.ics', '/test/sessions/2026-12-18/pitch']) console.log('READ', u, (await app.inject(u)).statusCode)
    const look = inspect(mp); console.log(bookingCounts(look)); 
    rmSync(join(mp, 'ballast'))
    const r2 = await c.submit('/test/sessions/2026-12-18/pitch', bookingFields(2))
    console.log('FREED ->', r2.statusCode, bookingCounts(look)); look.close()
    await app.close()
  } finally { spawnSync('umount', [mp]); rmSync(mp, { recursive: true, force: true }) }
})
