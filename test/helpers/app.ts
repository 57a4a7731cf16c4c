import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildApp } from '../../src/app.js'
import type { Config } from '../../src/config.js'
import type { Db, Platform } from '../../src/db/schema.js'
import { hashPassword } from '../../src/platforms/passwords.js'
import { upsertFacilitator } from '../../src/platforms/store.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'
import { tempDatabase } from './db.js'

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private current: Date) {}
  now = (): Date => new Date(this.current)
  set(iso: string) { this.current = new Date(iso) }
  advance(ms: number) { this.current = new Date(this.current.getTime() + ms) }
}

export const DEFAULT_NOW = '2026-11-23T09:00:00.000Z'

export function testConfig(dataDir: string, overrides: Partial<Config> = {}): Config {
  return {
    port: 0, host: '127.0.0.1', dataDir, databaseUrl: null, publicUrl: 'http://fabrik.test', smtpUrl: null,
    mailFrom: 'Fabrik <no-reply@fabrik.test>', sessionSecret: 'test-secret-test-secret-test-secret-123456',
    trustProxy: null, replyImapUrl: null, logLevel: process.env.FABRIK_TEST_LOG ?? 'silent', secureCookies: false, rateLimits: true,
    // Tests that wait for a cancellation's mails get them at once; the undo tests set a grace of their own.
    undoGraceSeconds: 0, ...overrides,
  }
}

export interface TestApp {
  app: FastifyInstance
  db: Db
  config: Config
  clock: TestClock
  dataDir: string
  close(): Promise<void>
}

/** The real app on a fresh temp database (SQLite, or PostgreSQL when FABRIK_TEST_PG_URL is set). */
export async function buildTestApp(options: { now?: string; config?: Partial<Config>; wrapDb?: (db: Db) => Db } = {}): Promise<TestApp> {
  const temp = await tempDatabase()
  const clock = new TestClock(new Date(options.now ?? DEFAULT_NOW))
  const config = testConfig(temp.dataDir, { databaseUrl: temp.databaseUrl, ...options.config })
  const app = await buildApp({ config, db: options.wrapDb ? options.wrapDb(temp.db) : temp.db, clock: clock.now, logger: Boolean(process.env.FABRIK_TEST_LOG) })
  return {
    app, db: temp.db, config, clock, dataDir: temp.dataDir,
    async close() {
      await app.close() // destroys the database handle
      await temp.close()
    },
  }
}

export async function createPlatform(db: Db, overrides: Partial<Platform> = {}): Promise<Platform> {
  const now = new Date().toISOString()
  const row = await db.insertInto('platform').values({
    slug: 'test', name: 'Plateforme test', timezone: 'Europe/Paris', country: 'FR',
    rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', default_start: '09:00', default_end: '12:00',
    default_video_url: 'https://visio.example.org/test', contact_name: 'Animatrice Test', contact_email: 'animation@test.example.org',
    contact_phone: null, booking_mode: 'auto', booking_close_days: 7, reminder_days: '7,1',
    agenda_template: JSON.stringify(DEFAULT_AGENDA), created_at: now, updated_at: now,
    ...overrides,
  }).returning('id').executeTakeFirstOrThrow()
  return db.selectFrom('platform').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow()
}

export const PASSWORD = 'correct horse battery staple'

export async function createFacilitator(db: Db, email: string, platformIds: number[]) {
  const hash = await hashPassword(PASSWORD)
  const { id } = await upsertFacilitator(db, { email, name: 'Camille Animatrice', passwordHash: hash, platformId: platformIds[0] ?? null, now: new Date().toISOString() })
  for (const p of platformIds.slice(1)) await upsertFacilitator(db, { email, name: 'Camille Animatrice', passwordHash: hash, platformId: p, now: new Date().toISOString() })
  return id
}

/** Extracts the CSRF token of the first form on a page. */
export function csrfToken(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!m) throw new Error('no CSRF field on this page')
  return m[1]!
}

/** A browser-like client over inject(): keeps cookies, submits forms with the page's CSRF token. */
export class Client {
  cookies = new Map<string, string>()
  constructor(private app: FastifyInstance, private headers: Record<string, string> = {}, private remoteAddress = '127.0.0.1') {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  private keep(res: LightMyRequestResponse) {
    for (const c of res.cookies as Array<{ name: string; value: string; maxAge?: number; expires?: Date }>) {
      if (c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name)
      else this.cookies.set(c.name, c.value)
    }
    return res
  }

  async request(method: 'GET' | 'HEAD' | 'POST', url: string, form?: Record<string, string | string[]>, headers: Record<string, string> = {}, raw?: Buffer) {
    const body = form ? toForm(form) : raw
    const res = await this.app.inject({
      method, url, payload: body, remoteAddress: this.remoteAddress,
      headers: { ...this.headers, cookie: this.cookieHeader(), ...(form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...headers },
    })
    return this.keep(res)
  }

  get(url: string) { return this.request('GET', url) }
  head(url: string) { return this.request('HEAD', url) }
  post(url: string, form: Record<string, string | string[]>) { return this.request('POST', url, form) }

  /** Opens `pageUrl`, takes its CSRF token, and posts `form` to `action` (default: the same URL). */
  async submit(pageUrl: string, form: Record<string, string | string[]>, action = pageUrl.split('?')[0]!) {
    const page = await this.get(pageUrl)
    if (page.statusCode !== 200) throw new Error(`GET ${pageUrl} answered ${page.statusCode}`)
    return this.post(action, { ...form, _csrf: csrfToken(page.body) })
  }

  async login(email: string, password = PASSWORD) {
    const res = await this.submit('/login', { email, password })
    if (res.statusCode !== 303) throw new Error(`login failed: ${res.statusCode}`)
    return res
  }
}

/** A facilitator of these platforms, created and logged in: a client carrying their login cookie. */
export async function facilitatorClient(app: FastifyInstance, db: Db, platformIds: number[], email = 'camille@test.example.org'): Promise<Client> {
  await createFacilitator(db, email, platformIds)
  const client = new Client(app)
  await client.login(email)
  return client
}

export function toForm(form: Record<string, string | string[]>): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x)
  return p.toString()
}
