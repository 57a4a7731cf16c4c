import { spawn } from 'node:child_process'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setImmediate } from 'node:timers/promises'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type SQLite from 'better-sqlite3'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Client, createPlatform, csrfToken } from '../helpers/app.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { appOn, bookingCounts, inspect, NO_ORPHANS, orphans, skipOnPostgres, sqliteFile } from './sqlite.js'

// Issue #11, faults: the database is locked by someone else. Beyond the busy timeout a booking answers 503
// with Retry-After and writes nothing; within it, the booking waits its turn and succeeds.

const FORM = '/test/sessions/2026-12-18/pitch'
const LOCKER = fileURLToPath(new URL('./fixtures/lock.mjs', import.meta.url))

interface Fixture { app: FastifyInstance; look: SQLite.Database; dataDir: string }

async function setUp(busyTimeout: number): Promise<Fixture> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-busy-'))
  const db = createDatabase({ dataDir, databaseUrl: null, busyTimeout })
  await migrateToLatest(db)
  await publishedSession(db, await createPlatform(db))
  return { app: await appOn(db, dataDir), look: inspect(dataDir, 0), dataDir }
}

/** Opens the form first (a GET, which never waits for the write lock), then returns a function that posts it. */
async function openForm(app: FastifyInstance, n: number) {
  const client = new Client(app)
  const page = await client.get(FORM)
  expect(page.statusCode).toBe(200)
  return () => client.post(FORM, { ...bookingFields(n), _csrf: csrfToken(page.body) })
}

describe.skipIf(skipOnPostgres('test/faults/busy.test.ts'))('database locked by another connection', () => {
  let f: Fixture | null = null
  afterEach(async () => {
    if (f?.look.inTransaction) f.look.exec('ROLLBACK')
    f?.look.close()
    await f?.app.close()
    if (f) rmSync(f.dataDir, { recursive: true, force: true })
    f = null
  })

  it('beyond the busy timeout: 503 with Retry-After, a French page, nothing written; reads go on; released, the booking works', async () => {
    f = await setUp(200)
    const post = await openForm(f.app, 1)
    const before = bookingCounts(f.look)
    f.look.exec('BEGIN IMMEDIATE') // held until the end of the test's first half
    const res = await post()
    expect(res.statusCode).toBe(503)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
    expect(res.body).toContain('<html lang="fr">')
    expect(res.body).toContain('Service momentanément occupé')
    // WAL: readers never wait for the writer.
    for (const url of ['/healthz', '/test', '/test/sessions/2026-12-18', '/test/sessions.json']) {
      expect({ url, status: (await f.app.inject(url)).statusCode }).toEqual({ url, status: 200 })
    }
    expect(bookingCounts(f.look)).toEqual(before)
    f.look.exec('ROLLBACK')

    const again = await post()
    expect(again.statusCode).toBe(303)
    expect(bookingCounts(f.look).pitch).toBe(before.pitch + 1)
    expect(orphans(f.look)).toEqual(NO_ORPHANS)
  })

  it('within the busy timeout: the booking waits for another process to commit, then succeeds', async () => {
    f = await setUp(5000)
    const post = await openForm(f.app, 1)
    // Another process takes the write lock, writes, and commits 800 ms later (npm run user:add, a second
    // worker). It must be a process of its own: better-sqlite3 waits synchronously, so a lock held by a
    // connection of this process could not be released during the wait.
    const locker = spawn(process.execPath, [LOCKER, sqliteFile(f.dataDir), '800', 'commit'], { stdio: ['ignore', 'pipe', 'inherit'] })
    const output: string[] = []
    const exited = new Promise<number | null>((resolve) => locker.on('close', resolve))
    await new Promise<void>((resolve, reject) => {
      locker.stdout.setEncoding('utf8').on('data', (chunk: string) => { output.push(chunk); if (output.join('').includes('locked')) resolve() })
      void exited.then((code) => reject(new Error(`the locking process exited (${code}) before locking`)))
    })
    const started = Date.now()
    const res = await post()
    const waited = Date.now() - started
    expect(await exited).toBe(0)
    expect({ status: res.statusCode, body: res.statusCode === 303 ? '' : res.body.match(/<h1>(.*)<\/h1>/)?.[1] }).toEqual({ status: 303, body: '' })
    expect(waited).toBeGreaterThanOrEqual(100) // it did wait for the lock
    expect(bookingCounts(f.look).pitch).toBe(1)
    expect(orphans(f.look)).toEqual(NO_ORPHANS)
  })

  it('while another process holds the write lock for 3 s, a waiting booking does not stop other requests', async () => {
    f = await setUp(5000)
    const post = await openForm(f.app, 1)
    await f.app.inject('/test') // rendered once: answered from memory from now on
    const locker = spawn(process.execPath, [LOCKER, sqliteFile(f.dataDir), '3000', 'commit'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let released = false
    const exited = new Promise<number | null>((resolve) => locker.on('close', resolve))
    await new Promise<void>((resolve, reject) => {
      let output = ''
      locker.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk
        if (output.includes('released')) released = true
        if (output.includes('locked')) resolve()
      })
      void exited.then((code) => reject(new Error(`the locking process exited (${code}) before locking`)))
    })
    // The booking waits for the lock on a timer; meanwhile public pages keep answering. With a synchronous
    // busy wait the event loop stopped for the whole 3 s (every request stalled, not only the booking).
    const loop = monitorEventLoopDelay({ resolution: 5 })
    loop.enable()
    let waiting = true
    const booking = post().finally(() => { waiting = false })
    let answered = 0
    while (waiting) {
      for (const url of ['/healthz', '/test', '/test/sessions/2026-12-18', '/test/sessions.json']) {
        expect({ url, status: (await f.app.inject(url)).statusCode }).toEqual({ url, status: 200 })
      }
      if (!released) answered++
      await setImmediate() // as between network requests: timers get their turn
    }
    loop.disable()
    expect(answered).toBeGreaterThan(10)
    expect(loop.max / 1e6).toBeLessThan(1000) // ms: the loop never stopped for anything like the lock's 3 s
    const res = await booking
    expect(released).toBe(true)
    expect(res.statusCode).toBe(303)
    expect(await exited).toBe(0)
    expect(bookingCounts(f.look).pitch).toBe(1)
    expect(orphans(f.look)).toEqual(NO_ORPHANS)
  }, 20_000)
})
