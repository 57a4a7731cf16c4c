import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { buildApp } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'
import type { Database } from '../../src/db/schema.js'
import { personalToken } from '../../src/web/tokens.js'
import type { DatasetInfo } from './dataset.js'
import { FACILITATOR_EMAIL, FACILITATOR_PASSWORD } from './dataset.js'
import { csrfField } from './processes.js'

// `node dist/scripts/bench/plans.js DIR` on a dataset left by `npm run bench -- --keep`: builds the app in this
// process on a Kysely that logs every query, opens each measured page once, and prints for each page the
// queries it issued, their time and SQLite's EXPLAIN QUERY PLAN. What to look for: SCAN over a big table,
// USE TEMP B-TREE FOR ORDER BY on many rows, the same query repeated (an N+1).

const dir = process.argv[2]
if (!dir) {
  console.error('usage: plans.js <data dir of a kept bench run>')
  process.exit(2)
}
const info = JSON.parse(readFileSync(join(dir, 'bench-info.json'), 'utf8')) as DatasetInfo
const sqlite = new SQLite(join(dir, 'fabrik.sqlite'))
sqlite.pragma('journal_mode = WAL')
sqlite.pragma('foreign_keys = ON')
interface Logged { sql: string; parameters: readonly unknown[]; ms: number }
let logged: Logged[] = []
const db = new Kysely<Database>({
  dialect: new SqliteDialect({ database: sqlite }),
  log(event) {
    if (event.level === 'query') logged.push({ sql: event.query.sql, parameters: event.query.parameters, ms: event.queryDurationMillis })
  },
})
const config = loadConfig({ DATA_DIR: dir, SESSION_SECRET: info.secret, PUBLIC_URL: 'http://127.0.0.1:3000', RATE_LIMITS: 'off', LOG_LEVEL: 'warn' })
const app = await buildApp({ config, db, logger: false })

const cookies = new Map<string, string>()
const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ')
// Public pages as an anonymous visitor opens them; /login and /admin with the facilitator's cookies.
async function get(url: string, method: 'GET' | 'POST' = 'GET', form?: Record<string, string>) {
  const anonymous = !url.startsWith('/admin') && !url.startsWith('/login')
  const res = await app.inject({
    method, url, headers: { ...(anonymous ? {} : { cookie: cookie() }), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    payload: form ? new URLSearchParams(form).toString() : undefined,
  })
  for (const c of res.cookies as Array<{ name: string; value: string }>) cookies.set(c.name, c.value)
  return res
}
const loginPage = await get('/login')
await get('/login', 'POST', { email: FACILITATOR_EMAIL, password: FACILITATOR_PASSWORD, _csrf: csrfField(loginPage.body) })

const session = `/${info.slug}/sessions/${info.sessionDate}`
const pages: Array<[string, string]> = [
  ['platform home', `/${info.slug}`],
  ['session page', session],
  ['sessions.json', `/${info.slug}/sessions.json`],
  ['public feed', `/${info.slug}/calendar.ics`],
  ['personal feed', `/feeds/${personalToken(info.secret, 'feed-contact', info.heavyContactId)}.ics`],
  ['RSVP page', `/rsvp/${personalToken(info.secret, 'rsvp', info.invitationId, 0)}`],
  ['facilitator: RSVPs', `/admin/p/${info.slug}/sessions/${info.sessionDate}/partners`],
  ['facilitator: session', `/admin/p/${info.slug}/sessions/${info.sessionDate}`],
  ['facilitator: platform', `/admin/p/${info.slug}`],
  ['attendance screen', `/admin/p/${info.slug}/sessions/${info.recordDate}/record/attendance`],
  ['pitch record', `/admin/p/${info.slug}/sessions/${info.recordDate}/record`],
  ['Orientations', `/admin/p/${info.slug}/referrals`],
  ['minutes preview', `/admin/p/${info.slug}/sessions/${info.recordDate}/minutes/preview`],
  ['journey', `/admin/p/${info.slug}/initiatives/${info.journeyInitiativeId}/parcours`],
]
// Eta compiles a template the first time it is used; a second pass over the same pages must compile nothing.
const views = app.ctx.views as unknown as { compile: (...a: unknown[]) => unknown }
const compile = views.compile.bind(views)
let compiled = 0
views.compile = (...a: unknown[]) => { compiled++; return compile(...a) }
for (const [, url] of pages) await get(url)
const firstPass = compiled
compiled = 0
for (const [, url] of pages) await get(url)
console.log(`Template compilations: ${firstPass} on the first pass over these pages, ${compiled} on the second (must be 0).`)

for (const [name, url] of pages) {
  logged = []
  const res = await get(url)
  const total = logged.reduce((a, q) => a + q.ms, 0)
  console.log(`\n=== ${name} — ${res.statusCode}, ${logged.length} queries, ${total.toFixed(2)} ms in SQL`)
  const seen = new Map<string, number>()
  for (const q of logged) seen.set(q.sql, (seen.get(q.sql) ?? 0) + 1)
  for (const [sql, n] of seen) {
    const q = logged.find((l) => l.sql === sql)!
    const ms = logged.filter((l) => l.sql === sql).reduce((a, l) => a + l.ms, 0)
    console.log(`\n  ${n > 1 ? `${n}× ` : ''}${ms.toFixed(2)} ms  ${sql.length > 400 ? `${sql.slice(0, 400)}…` : sql}`)
    if (!/^\s*select/i.test(sql)) continue
    const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...(q.parameters as unknown[])) as Array<{ id: number; parent: number; detail: string }>
    const depth = new Map<number, number>([[0, 0]])
    for (const p of plan) {
      const d = (depth.get(p.parent) ?? 0) + 1
      depth.set(p.id, d)
      console.log(`      ${'  '.repeat(d)}${p.detail}`)
    }
  }
}
await app.close()
