import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { enqueueMail } from '../../src/mail/outbox.js'
import { createPlatform } from '../helpers/app.js'
import { tempDatabase, type TempDatabase } from '../helpers/db.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { projectRoot, type RunningServer, startServer } from '../e2e/harness.js'

// Two app processes on one PostgreSQL, as a network hosting many platforms runs them: the last pitch
// slot still goes to exactly one holder, and every queued email is delivered exactly once.
const pg = process.env.FABRIK_TEST_PG_URL
if (!pg) console.warn('⚠ test/db/instances.test.ts skipped: two app processes need PostgreSQL (npm run test:pg)')

/** A tiny cookie-keeping client over fetch, for a real server. */
class HttpClient {
  private cookies = new Map<string, string>()
  constructor(private base: string) {}
  private keep(res: Response) {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const [k, ...v] = pair!.split('=')
      this.cookies.set(k!.trim(), v.join('='))
    }
    return res
  }
  private headers(extra: Record<string, string> = {}) {
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '), ...extra }
  }
  async get(path: string) {
    return this.keep(await fetch(this.base + path, { headers: this.headers(), redirect: 'manual' }))
  }
  async post(path: string, form: Record<string, string | string[]>) {
    const body = new URLSearchParams()
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x)
    return this.keep(await fetch(this.base + path, { method: 'POST', body, headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded' }), redirect: 'manual' }))
  }
}

describe.skipIf(!pg)('two app instances on one PostgreSQL', () => {
  let temp: TempDatabase
  const servers: RunningServer[] = []
  const secret = randomBytes(32).toString('base64url')
  const FORM = '/test/sessions/2026-12-18/pitch'

  beforeAll(async () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
    const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: projectRoot(), encoding: 'utf8' })
    if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`)
    temp = await tempDatabase()
    const platform = await createPlatform(temp.db)
    await publishedSession(temp.db, platform, '2026-12-18')
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({ env: { DATABASE_URL: temp.databaseUrl!, SESSION_SECRET: secret, RATE_LIMITS: 'off' } }))
    }
  }, 180_000)

  afterAll(async () => {
    for (const s of servers) await s.stop()
    await temp?.close()
  })

  it('gives the last slot to exactly one of 20 holders booking through both instances at once', async () => {
    const now = Date.now()
    // The session must be open for booking whatever today is: move it 30 days ahead.
    const date = new Date(now + 30 * 86400_000).toISOString().slice(0, 10)
    await temp.db.updateTable('session').set({ date }).execute()
    const form = FORM.replace('2026-12-18', date)
    const fill = new HttpClient(servers[0]!.url)
    for (const n of ['a', 'b']) {
      const page = await fill.get(form)
      const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!
      expect((await fill.post(form, { ...bookingFields(n), _csrf: token })).status).toBe(303)
    }
    const clients = Array.from({ length: 20 }, (_, i) => new HttpClient(servers[i % 2]!.url))
    const tokens = await Promise.all(clients.map(async (c) => /name="_csrf" value="([^"]+)"/.exec(await (await c.get(form)).text())![1]!))
    const results = await Promise.all(clients.map((c, i) => c.post(form, { ...bookingFields(`x${i}`), _csrf: tokens[i]! })))
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(303))
    const rows = await temp.db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id').select(['pitch.status', 'holder.email']).execute()
    const racers = rows.filter((r) => r.email!.startsWith('porteurx'))
    // The one who got it holds it as pending until they confirm from the email (pitches/holds.ts).
    expect(racers.filter((r) => r.status === 'pending')).toHaveLength(1)
    expect(racers.filter((r) => r.status === 'waiting')).toHaveLength(19)
  })

  it('delivers 300 queued emails exactly once between the two workers', async () => {
    const now = new Date().toISOString()
    for (let i = 0; i < 300; i++) {
      await enqueueMail(temp.db, { kind: 'session.reminder', platformId: null, sessionId: null, threadKey: null, to: { name: `Personne ${i}`, email: `p${i}@example.org` }, subject: `Message ${i}`, text: 'texte', html: '<p>texte</p>', ical: null }, now, 'fabrik.test')
    }
    const expected = await temp.db.selectFrom('outbox').select('message_id').execute()
    const deadline = Date.now() + 60_000
    let received: string[] = []
    while (Date.now() < deadline) {
      received = servers.flatMap((s) => s.smtp.messages.map((m) => String(m.parsed.messageId)))
      if (received.length >= expected.length) break
      await new Promise((r) => setTimeout(r, 250))
    }
    await new Promise((r) => setTimeout(r, 2500)) // a duplicate would arrive within a worker round
    received = servers.flatMap((s) => s.smtp.messages.map((m) => String(m.parsed.messageId)))
    expect(received.length).toBe(expected.length)
    expect(new Set(received).size).toBe(received.length)
    expect(new Set(received)).toEqual(new Set(expected.map((e) => e.message_id)))
    // Both instances took part.
    expect(servers.every((s) => s.smtp.messages.length > 0)).toBe(true)
    const left = await temp.db.selectFrom('outbox').select('status').where('status', '!=', 'sent').execute()
    expect(left).toHaveLength(0)
  })
})
