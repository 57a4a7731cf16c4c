import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Client, createPlatform } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { appOn, bookingCounts, openAppSqlite } from './sqlite.js'
import { Kysely, SqliteDialect } from 'kysely'

it('scratch', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-x-'))
  const { sqlite } = openAppSqlite(dataDir)
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }), log: (e) => { if (e.level === 'error') console.log('FAILED SQL', e.query.sql.slice(0, 80)); else if (/^insert|^update/.test(e.query.sql)) console.log('ok', e.query.sql.slice(0, 40)) } })
  await migrateToLatest(db)
  const p = await createPlatform(db)
  await publishedSession(db, p)
  const { app } = await appOn(db, dataDir)
  const c = new Client(app)
  console.log(await new Client(app).submit('/test/sessions/2026-12-18/pitch', bookingFields(0)).then(r => r.statusCode))
  const pc = sqlite.pragma('page_count', { simple: true })
  console.log('page_count', pc, 'freelist', sqlite.pragma('freelist_count', { simple: true }), 'max', sqlite.pragma(`max_page_count = ${pc}`, { simple: true }))
  const orig = sqlite.prepare.bind(sqlite)
  const res = await c.submit('/test/sessions/2026-12-18/pitch', bookingFields(1))
  console.log(res.statusCode, res.headers['retry-after'], bookingCounts(sqlite))
  for (let i = 2; i < 6; i++) { const r = await new Client(app).submit('/test/sessions/2026-12-18/pitch', bookingFields(i)); console.log(i, r.statusCode, bookingCounts(sqlite)) }
  void orig
  await app.close()
})
