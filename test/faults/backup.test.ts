import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import SQLite from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backupSqlite, SQLITE_FILE } from '../../src/db/backup.js'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Client, createPlatform } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import {
  appOn, count, integrity, kill, NO_ORPHANS, orphans, skipOnPostgres, startWriter, type Writer, writerBatchSize,
} from './sqlite.js'

// Issue #11: `npm run backup -- <file>` makes a consistent copy while the app writes, and the app starts
// from the copy. A writer process books continuously during every backup below.

const root = fileURLToPath(new URL('../../', import.meta.url))

/** What a backup must be: intact, no half-written booking, every batch whole, one self-contained file. */
function checkCopy(file: string) {
  const copy = new SQLite(file, { readonly: true, fileMustExist: true })
  try {
    expect(integrity(copy)).toBe('ok')
    expect(orphans(copy)).toEqual(NO_ORPHANS)
    const sizes = new Map<string, { seen: number; size: number }>()
    for (const name of copy.prepare("select name from holder where name like 'Batch %'").pluck().all() as string[]) {
      const m = /^Batch (\S+) (\d+)\/(\d+)$/.exec(name)!
      const b = sizes.get(m[1]!) ?? { seen: 0, size: Number(m[3]) }
      b.seen += 1
      sizes.set(m[1]!, b)
    }
    expect([...sizes].filter(([, b]) => b.seen !== b.size)).toEqual([])
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete')
    return count(copy, 'select count(*) from pitch')
  } finally {
    copy.close()
  }
}

describe.skipIf(skipOnPostgres('test/faults/backup.test.ts'))('backup while the app writes', () => {
  let dataDir: string
  let backups: string
  let writer: Writer

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'fabrik-live-'))
    backups = mkdtempSync(join(tmpdir(), 'fabrik-backups-'))
    const db = createDatabase({ dataDir, databaseUrl: null })
    await migrateToLatest(db)
    const platform = await createPlatform(db)
    const sessionId = await publishedSession(db, platform)
    await db.destroy()
    writer = startWriter(dataDir, platform.id, sessionId)
    await writer.waitFor(20)
  })
  afterAll(async () => {
    if (writer && writer.child.exitCode === null && writer.child.signalCode === null) await kill(writer)
    for (const dir of [dataDir, backups]) if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('backupSqlite: consistent copies during writes, never overwrites, and the app starts from the copy', async () => {
    const results = []
    for (let i = 1; i <= 3; i++) {
      const target = join(backups, `fabrik-${i}.sqlite`)
      const ackedBefore = writer.acked.bookings
      const { bytes, ms } = await backupSqlite(dataDir, target)
      const ackedAfter = { ...writer.acked }
      expect(bytes).toBe(statSync(target).size)
      expect(statSync(target).mode & 0o777).toBe(0o600) // people's personal data: owner only
      expect(ms).toBeGreaterThanOrEqual(0)
      const pitches = checkCopy(target)
      // A snapshot taken during the call: everything acknowledged before it, nothing from the future.
      expect(pitches).toBeGreaterThanOrEqual(ackedBefore)
      expect(pitches).toBeLessThanOrEqual(ackedAfter.bookings + writerBatchSize(ackedAfter.batches))
      results.push({ bytes, ms, pitches })
      await writer.waitFor(ackedAfter.batches + 5)
    }
    expect(writer.child.exitCode).toBeNull() // the writer never stopped or failed
    console.info(`backups during writes: ${results.map((r) => `${r.pitches} pitches, ${r.bytes} B, ${r.ms} ms`).join('; ')}`)

    // Never overwrites; a failed attempt leaves no stray file behind.
    const first = join(backups, 'fabrik-1.sqlite')
    const content = readFileSync(first)
    await expect(backupSqlite(dataDir, first)).rejects.toThrow(/already exists/)
    expect(readFileSync(first).equals(content)).toBe(true)
    await expect(backupSqlite(join(dataDir, 'nowhere'), join(backups, 'x.sqlite'))).rejects.toThrow(/No database/)
    expect(readdirSync(backups).sort()).toEqual(['fabrik-1.sqlite', 'fabrik-2.sqlite', 'fabrik-3.sqlite'])

    // Restore as the README says: the copy becomes DATA_DIR/fabrik.sqlite of a stopped app, which starts on it.
    const restored = mkdtempSync(join(tmpdir(), 'fabrik-restored-'))
    try {
      copyFileSync(join(backups, 'fabrik-3.sqlite'), join(restored, SQLITE_FILE))
      const db = createDatabase({ dataDir: restored, databaseUrl: null })
      await migrateToLatest(db)
      const app = await appOn(db, restored)
      try {
        expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' })
        const home = await app.inject('/test')
        expect(home.statusCode).toBe(200)
        expect(home.body).toContain('/test/sessions/2026-12-18')
        expect((await app.inject('/test/sessions/2026-12-18')).statusCode).toBe(200)
        const json = (await app.inject('/test/sessions.json')).json() as Array<{ date: string }>
        expect(json.map((s) => s.date)).toEqual(['2026-12-18'])
        // Writable too: a booking on the restored database.
        expect((await new Client(app).submit('/test/sessions/2026-12-18/pitch', bookingFields('restored'))).statusCode).toBe(303)
      } finally {
        await app.close()
      }
      const check = new SQLite(join(restored, SQLITE_FILE), { readonly: true })
      expect(count(check, 'select count(*) from pitch')).toBe(results[2]!.pitches + 1)
      check.close()
    } finally {
      rmSync(restored, { recursive: true, force: true })
    }
  })

  it('npm run backup -- <file>: the script writes a checked copy during writes, refuses to overwrite, and points PostgreSQL to pg_dump', { timeout: 90_000 }, () => {
    // `npm run backup` builds all of dist/ first; here only the script and what it imports are compiled,
    // under node_modules/.cache so that its imports resolve.
    const out = join(root, 'node_modules', '.cache', `fabrik-backup-test-${process.pid}`)
    mkdirSync(out, { recursive: true })
    try {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
      const build = spawnSync(process.execPath, [tsc, join(root, 'scripts/backup.ts'), '--outDir', out, '--rootDir', root,
        '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--esModuleInterop', '--skipLibCheck', '--strict', '--types', 'node'],
      { encoding: 'utf8' })
      expect(build.status, build.stdout + build.stderr).toBe(0)
      const script = join(out, 'scripts', 'backup.js')
      const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' }
      const target = join(backups, 'script.sqlite')
      const acked = writer.acked.bookings

      const run = spawnSync(process.execPath, [script, target], { encoding: 'utf8', env })
      expect(run.status, run.stderr).toBe(0)
      expect(run.stdout).toMatch(/^Backup of .*fabrik\.sqlite written to .*script\.sqlite: [\d.]+ (B|KB|MB) in \d+ ms, integrity check ok\.\n$/)
      expect(checkCopy(target)).toBeGreaterThanOrEqual(acked)

      const again = spawnSync(process.execPath, [script, target], { encoding: 'utf8', env })
      expect(again.status).toBe(1)
      expect(again.stderr).toMatch(/already exists/)

      const none = spawnSync(process.execPath, [script], { encoding: 'utf8', env })
      expect(none.status).toBe(2)
      expect(none.stderr).toContain('Usage: npm run backup -- <file>')

      const pg = spawnSync(process.execPath, [script, 'fabrik.dump'], { encoding: 'utf8', env: { ...env, DATABASE_URL: 'postgres://fabrik@127.0.0.1:5432/fabrik' } })
      expect(pg.status).toBe(2)
      expect(pg.stderr).toContain(`pg_dump --format=custom --file='fabrik.dump' "$DATABASE_URL"`)
      expect(pg.stderr).toContain('pg_restore')
      expect(existsSync(join(root, 'fabrik.dump'))).toBe(false)
      expect(existsSync(join(dataDir, 'session-secret'))).toBe(false) // the backup generated no secret in DATA_DIR
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
