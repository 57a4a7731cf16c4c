import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Client, createPlatform } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { appOn, type AppSqlite, bookingCounts, integrity, NO_ORPHANS, openAppSqlite, orphans, skipOnPostgres } from './sqlite.js'

// Issue #11, faults: the disk is full. A booking answers a clear 503 (French page, Retry-After) and leaves
// nothing half-saved; every page that only reads still works; once there is room again, the same booking goes
// through. Two ways to fill the disk: SQLite's max_page_count on the app's connection (portable), and a real
// 2 MB tmpfs filled with a ballast file (needs root and mount; skipped with a message where unavailable).

const FORM = '/test/sessions/2026-12-18/pitch'
const READS = ['/healthz', '/test', '/test/sessions/2026-12-18', '/test/sessions.json', '/test/calendar.ics', '/test/sessions/2026-12-18.ics', FORM]

interface Fixture extends AppSqlite { app: FastifyInstance; dataDir: string; statements: Array<{ sql: string; failed: boolean }> }

async function setUp(dataDir: string): Promise<Fixture> {
  const statements: Fixture['statements'] = []
  const opened = openAppSqlite(dataDir, { onQuery: (sql, failed) => statements.push({ sql, failed }) })
  await migrateToLatest(opened.db)
  await publishedSession(opened.db, await createPlatform(opened.db))
  const { app } = await appOn(opened.db, dataDir)
  return { ...opened, app, dataDir, statements }
}

/** POSTs the form and checks the 503: French page, Retry-After, nothing saved; returns the statements it ran. */
async function expectFullRefusal(f: Fixture, client: Client, form: Record<string, string | string[]>) {
  const before = bookingCounts(f.sqlite)
  f.statements.length = 0
  const res = await client.submit(FORM, form)
  expect(res.statusCode).toBe(503)
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  expect(res.headers['content-type']).toMatch(/^text\/html/)
  expect(res.body).toContain('<html lang="fr">')
  expect(res.body).toContain('Enregistrement impossible')
  expect(res.body).toContain("rien n'a été enregistré")
  expect(bookingCounts(f.sqlite)).toEqual(before)
  expect(orphans(f.sqlite)).toEqual(NO_ORPHANS)
  return f.statements.filter((s) => !/^(begin|commit|rollback)/i.test(s.sql))
}

async function expectReadsWork(app: FastifyInstance, extra: string[] = []) {
  for (const url of [...READS, ...extra]) expect({ url, status: (await app.inject(url)).statusCode }).toEqual({ url, status: 200 })
}

describe.skipIf(skipOnPostgres('test/faults/disk-full.test.ts'))('disk full', () => {
  let f: Fixture | null = null
  const cleanups: Array<() => void> = []
  beforeEach(() => { f = null })
  afterEach(async () => {
    await f?.app.close()
    for (const c of cleanups.splice(0).reverse()) c()
  })

  it('the database cannot grow (max_page_count): 503, reads work, nothing half-saved, then the same booking succeeds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-full-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    f = await setUp(dataDir)
    const first = await new Client(f.app).submit(FORM, bookingFields(1))
    expect(first.statusCode).toBe(303)
    const holderPage = String(first.headers.location)

    // The database may not take one more page: like a disk with no block left for it.
    const pages = f.sqlite.pragma('page_count', { simple: true }) as number
    expect(f.sqlite.pragma(`max_page_count = ${pages}`, { simple: true })).toBe(pages)

    const holder = new Client(f.app)
    const ran = await expectFullRefusal(f, holder, bookingFields(2))
    // It failed half-way: the holder, initiative and pitch rows were written inside the transaction before
    // the mail row found no room, and all of them were rolled back.
    expect(ran.filter((s) => !s.failed).map((s) => s.sql.match(/^(insert into|update) "(\w+)"/)?.[2])).toEqual(expect.arrayContaining(['holder', 'initiative', 'pitch']))
    expect(ran.find((s) => s.failed)?.sql).toMatch(/^insert into "outbox"/)
    await expectReadsWork(f.app, [holderPage])

    // Room again: the very same booking goes through, whole.
    f.sqlite.pragma('max_page_count = 1073741823')
    const before = bookingCounts(f.sqlite)
    const res = await holder.submit(FORM, bookingFields(2))
    expect(res.statusCode).toBe(303)
    expect((await f.app.inject(String(res.headers.location))).body).toContain('data-status="confirmed"')
    expect(bookingCounts(f.sqlite)).toEqual({ holder: before.holder + 1, initiative: before.initiative + 1, initiative_holder: before.initiative_holder + 1, pitch: before.pitch + 1, outbox: before.outbox + 1 })
    expect(orphans(f.sqlite)).toEqual(NO_ORPHANS)
    expect(integrity(f.sqlite)).toBe('ok')
  })

  it('a real full file system (2 MB tmpfs and a ballast file): 503, reads work, then room is freed and the booking succeeds', async (ctx) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'fabrik-tmpfs-'))
    cleanups.push(() => rmSync(mountPoint, { recursive: true, force: true }))
    const mount = process.getuid?.() === 0
      ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { encoding: 'utf8' })
      : null
    if (!mount || mount.status !== 0) {
      const why = mount ? `mount failed: ${(mount.stderr || String(mount.error ?? mount.status)).trim()}` : 'not root'
      console.warn(`⚠ test/faults/disk-full.test.ts: real disk-full variant skipped (${why}); the max_page_count variant still runs`)
      ctx.skip(why)
    }
    cleanups.push(() => { spawnSync('umount', [mountPoint]) })

    f = await setUp(mountPoint)
    expect((await new Client(f.app).submit(FORM, bookingFields(1))).statusCode).toBe(303)
    // An empty WAL, so the next commit has to take new blocks from the file system.
    f.sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const ballast = join(mountPoint, 'ballast')
    fillUp(ballast)

    const holder = new Client(f.app)
    await expectFullRefusal(f, holder, bookingFields(2))
    await expectReadsWork(f.app)

    rmSync(ballast)
    const res = await holder.submit(FORM, bookingFields(2))
    expect(res.statusCode).toBe(303)
    expect(orphans(f.sqlite)).toEqual(NO_ORPHANS)
    expect(bookingCounts(f.sqlite).pitch).toBe(2)
    expect(integrity(f.sqlite)).toBe('ok')
  })
})

/** Writes a file until the file system has no byte left, down to single bytes. */
function fillUp(file: string) {
  const fd = openSync(file, 'w')
  try {
    for (const size of [256 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x2e)
      for (;;) {
        try {
          if (writeSync(fd, chunk) < size) break
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break
          throw error
        }
      }
    }
  } finally {
    closeSync(fd)
  }
}
