import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import type { Db } from '../../src/db/schema.js'
import { Client, createPlatform, csrfToken } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { appOn, bookingCounts, inspect, integrity, NO_ORPHANS, orphans, skipOnPostgres, StatementLog } from './sqlite.js'

// Issue #11, faults: the disk is full. A booking answers a clear 503 (French page, Retry-After) and leaves
// nothing half-saved; every page that only reads still works; once there is room again, the same booking
// goes through. Two ways to fill the disk: SQLite's max_page_count on the app's own connection (portable),
// and a real 8 MB tmpfs (migrating a new database writes about 1.6 MB of WAL) filled by a ballast file (needs root and mount; skipped with a message elsewhere).

const FORM = '/test/sessions/2026-12-18/pitch'
const READS = ['/healthz', '/test', '/test/sessions/2026-12-18', '/test/sessions.json', '/test/calendar.ics', '/test/sessions/2026-12-18.ics', FORM]

interface Fixture { app: FastifyInstance; db: Db; log: StatementLog; look: SQLite.Database }

/** The app on the database createDatabase opens (production pragmas), with a platform and a session. */
async function setUp(dataDir: string): Promise<Fixture> {
  const log = new StatementLog()
  const db = createDatabase({ dataDir, databaseUrl: null }).withPlugin(log)
  await migrateToLatest(db)
  await publishedSession(db, await createPlatform(db))
  return { app: await appOn(db, dataDir), db, log, look: inspect(dataDir) }
}

/** POSTs the form and checks the 503: French page, Retry-After, nothing saved. */
async function expectFullRefusal(f: Fixture, client: Client, form: Record<string, string | string[]>) {
  const before = bookingCounts(f.look)
  const page = await client.get(FORM)
  f.log.statements.length = 0
  const res = await client.post(FORM, { ...form, _csrf: csrfToken(page.body) })
  expect(res.statusCode).toBe(503)
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  expect(res.headers['content-type']).toMatch(/^text\/html/)
  expect(res.body).toContain('<html lang="fr">')
  expect(res.body).toContain('Enregistrement impossible')
  expect(res.body).toMatch(/rien n(&#39;|')a été enregistré/)
  expect(bookingCounts(f.look)).toEqual(before)
  expect(orphans(f.look)).toEqual(NO_ORPHANS)
}

async function expectReadsWork(app: FastifyInstance, extra: string[] = []) {
  for (const url of [...READS, ...extra]) expect({ url, status: (await app.inject(url)).statusCode }).toEqual({ url, status: 200 })
}

describe.skipIf(skipOnPostgres('test/faults/disk-full.test.ts'))('disk full', () => {
  let f: Fixture | null = null
  const cleanups: Array<() => void> = []
  afterEach(async () => {
    f?.look.close()
    await f?.app.close()
    f = null
    for (const c of cleanups.splice(0).reverse()) c()
  })

  it('the database cannot grow (max_page_count): 503, reads work, nothing half-saved, then the same booking succeeds', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-full-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    f = await setUp(dataDir)
    const first = await new Client(f.app).submit(FORM, bookingFields(1))
    expect(first.statusCode).toBe(303)
    const holderPage = String(first.headers.location)

    // Not one more page for the database, on the app's own connection: a disk with no block left for it.
    const pages = Number((await sql<{ page_count: number }>`pragma page_count`.execute(f.db)).rows[0]!.page_count)
    await sql`pragma max_page_count = ${sql.raw(String(pages))}`.execute(f.db)

    const holder = new Client(f.app)
    await expectFullRefusal(f, holder, bookingFields(2))
    // It failed half-way: holder, initiative and pitch were written inside the transaction before the mail
    // row found no room, and the whole transaction was rolled back.
    const { writes, failed } = f.log.summary()
    expect(writes).toEqual(expect.arrayContaining(['holder', 'initiative', 'initiative_holder', 'pitch']))
    expect(failed).toMatchObject({ kind: 'InsertQueryNode', table: 'outbox' })
    await expectReadsWork(f.app, [holderPage])

    // Room again: the very same booking goes through, whole.
    await sql`pragma max_page_count = 1073741823`.execute(f.db)
    const before = bookingCounts(f.look)
    const res = await holder.submit(FORM, bookingFields(2))
    expect(res.statusCode).toBe(303)
    // Held (pending) until its holder confirms from the email (pitches/holds.ts).
    expect((await f.app.inject(String(res.headers.location))).body).toContain('data-status="pending"')
    expect(bookingCounts(f.look)).toEqual({
      holder: before.holder + 1, initiative: before.initiative + 1, initiative_holder: before.initiative_holder + 1,
      pitch: before.pitch + 1, outbox: before.outbox + 1,
    })
    expect(orphans(f.look)).toEqual(NO_ORPHANS)
    expect(integrity(f.look)).toBe('ok')
  })

  it('a real full file system (8 MB tmpfs, ballast file): 503, reads work, then space is freed and the booking succeeds', async (ctx) => {
    const mountPoint = mkdtempSync(join(tmpdir(), 'fabrik-tmpfs-'))
    cleanups.push(() => rmSync(mountPoint, { recursive: true, force: true }))
    const mount = process.getuid?.() === 0
      ? spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { encoding: 'utf8' })
      : null
    if (!mount || mount.status !== 0) {
      const why = mount ? `mount failed: ${(mount.stderr || String(mount.error ?? mount.status)).trim()}` : 'not root'
      console.warn(`⚠ test/faults/disk-full.test.ts: the real disk-full variant is skipped (${why}); the max_page_count variant still runs`)
      ctx.skip(why)
    }
    cleanups.push(() => { spawnSync('umount', [mountPoint]) })

    f = await setUp(mountPoint)
    expect((await new Client(f.app).submit(FORM, bookingFields(1))).statusCode).toBe(303)
    // An empty WAL, so the next commit needs new blocks from the file system.
    await sql`pragma wal_checkpoint(TRUNCATE)`.execute(f.db)
    const ballast = join(mountPoint, 'ballast')
    fillUp(ballast)

    const holder = new Client(f.app)
    await expectFullRefusal(f, holder, bookingFields(2))
    await expectReadsWork(f.app)

    rmSync(ballast)
    const res = await holder.submit(FORM, bookingFields(2))
    expect(res.statusCode).toBe(303)
    expect(bookingCounts(f.look).pitch).toBe(2)
    expect(orphans(f.look)).toEqual(NO_ORPHANS)
    expect(integrity(f.look)).toBe('ok')
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
