import { createHmac, randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Tokens as CsrfTokens } from '@fastify/csrf'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { personalToken } from '../src/web/tokens.js'
import { projectRoot } from '../src/web/views.js'
import type { RecordedResponse } from './bench/bare-server.js'
import { DEFAULT_DATASET, type DatasetInfo, FACILITATOR_EMAIL, FACILITATOR_PASSWORD, generateDataset } from './bench/dataset.js'
import { fmt, load, type LoadFigures, type LoadRequest, table } from './bench/load.js'
import { mailTable, measureMail } from './bench/mail.js'
import { CookieClient, type Child, cpuSeconds, csrfField, freePort, machineCpu, procStatusKb, startNode, stopChild, waitFor200 } from './bench/processes.js'
import { pgBench } from './bench/pg-bench.js'

// `npm run bench`: builds the large dataset in a temp folder, starts the app on it (its own process), loads
// each URL with autocannon from this process, then loads a bare Fastify server (a third process) that answers
// the same bytes from memory, and prints both side by side with the targets of issue #10.
//
// Options: --seconds N (per measurement, default 5), --connections N (default 50), --keep (leave the data dir),
// --data DIR (reuse a dataset a previous `--keep` run left there, instead of generating one; implies --keep),
// --only WORD,WORD (only the rows whose name holds one of the words).

const args = process.argv.slice(2)
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const SECONDS = option('seconds', 5)
const CONNECTIONS = option('connections', 50)
// Long enough for the JIT to compile the hot path of the first URL measured (its figures were 10-20 % low with 1 s).
const WARMUP = Math.min(3, Math.max(2, Math.round(SECONDS / 4)))
const REUSE = args.includes('--data') ? args[args.indexOf('--data') + 1] ?? null : null
const KEEP = args.includes('--keep') || REUSE !== null
// --only a,b: only the rows whose name contains one of these words (while working on one page).
// The "pg …" rows (scripts/bench/pg-bench.ts) run when PostgreSQL's binaries are found, unless --no-pg;
// --only with words that all start with "pg" (--only pg, --only 'pg 2×') runs only PostgreSQL rows.
const ONLY = args.includes('--only') ? (args[args.indexOf('--only') + 1] ?? '').split(',').filter(Boolean) : null
// --only mail: the mail rows alone (scripts/bench/mail.ts: SMTP peer, bare nodemailer pool, the outbox at 1,000 invitations).
const MAIL_ONLY = ONLY?.includes('mail') ?? false

const TARGETS = { ratio: 0.5, publicP99: 50, facilitatorP99: 100, rssMb: 250, startupMs: 1000, reportMs: 200 }

// public: the issue's target for public pages and feeds (ratio to the bare server and p99); facilitator and
// write (a booking sent again: a form to parse, a CSRF token to check, a holder to look up — nothing a
// server answering from memory does): p99 only, the ratio shown; extra: measured, no target in the issue.
type Audience = 'public' | 'facilitator' | 'write' | 'extra'
interface Target extends LoadRequest {
  name: string
  audience: Audience
  expect: number
  /** Shorter and without warm-up: every request adds rows. */
  mutating?: boolean
  /** Its yardstick: the bare server replaying the app's answer (default), or the bare write handler doing its rows. */
  bare?: 'write'
  /** Instead of --connections (a facilitator's page is also measured at the load a team of facilitators makes). */
  connections?: number
}

const here = dirname(fileURLToPath(import.meta.url)) // dist/scripts
const serverJs = join(here, '..', 'src', 'server.js')
const bareJs = join(here, 'bench', 'bare-server.js')
const bareWriteJs = join(here, 'bench', 'bare-write.js')
const bareWritePgJs = join(here, 'bench', 'bare-write-pg.js')

function log(line: string) {
  process.stdout.write(`${line}\n`)
}

async function main() {
  if (MAIL_ONLY) {
    log(`Machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    const missed = mailTable(await measureMail(log), log)
    log(missed.length ? `\nMissed targets: ${missed.join(', ')}` : '\nEvery target met.')
    return
  }
  const dataDir = REUSE ?? mkdtempSync(join(tmpdir(), 'fabrik-bench-'))
  const infoFile = join(dataDir, 'bench-info.json')
  const children: Child[] = []
  try {
    // --- 1. The dataset ---------------------------------------------------------------------------------
    log(`Data directory: ${dataDir}`)
    log(`Machine: ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes share the cores: see "other processes" below)`)
    let t = performance.now()
    let info: DatasetInfo
    // The same file the app reads when SESSION_SECRET is unset, so a kept folder can be served by hand.
    const secretFile = join(dataDir, 'session-secret')
    if (REUSE && existsSync(infoFile)) {
      info = JSON.parse(readFileSync(infoFile, 'utf8')) as DatasetInfo
      log('Dataset: reused')
    } else {
      const db = createDatabase({ dataDir, databaseUrl: null })
      await migrateToLatest(db)
      info = await generateDataset(db, { ...DEFAULT_DATASET, secret: randomBytes(32).toString('base64url'), now: new Date() })
      await db.destroy()
      writeFileSync(secretFile, info.secret, { mode: 0o600 })
      writeFileSync(infoFile, JSON.stringify(info))
      log(`Dataset: ${Object.entries(info.counts).map(([k, v]) => `${fmt.int(v)} ${k}`).join(', ')}`)
      log(`  generated in ${fmt.int(performance.now() - t)} ms`)
    }
    const secret = info.secret
    const dbFile = join(dataDir, 'fabrik.sqlite')
    log(`  database ${fmt.int(statSync(dbFile).size / 1024 / 1024)} MB`)

    // The bare write handler's own copy of the database, taken before the app writes anything.
    const writeDbFile = join(dataDir, 'bare-write.sqlite')
    for (const suffix of ['', '-wal']) {
      rmSync(writeDbFile + suffix, { force: true })
      if (existsSync(dbFile + suffix)) copyFileSync(dbFile + suffix, writeDbFile + suffix)
    }

    // --- PostgreSQL (#26): the "pg …" rows on a copy of this dataset, taken before the SQLite app writes.
    if (!args.includes('--no-pg')) {
      await pgBench({ dataDir, info, connections: CONNECTIONS, seconds: SECONDS, warmupSeconds: WARMUP, only: ONLY, scripts: { server: serverJs, bare: bareJs, bareWritePg: bareWritePgJs }, log })
    }
    if (ONLY && ONLY.every((w) => w.startsWith('pg'))) return

    // --- 2. The app, in its own process: start-up until the first 200 on /healthz ---------------------
    const appPort = await freePort()
    const base = `http://127.0.0.1:${appPort}`
    const env: NodeJS.ProcessEnv = { ...process.env }
    for (const k of ['DATABASE_URL', 'SMTP_URL', 'TRUST_PROXY', 'HOST', 'MAIL_FROM']) delete env[k]
    Object.assign(env, {
      DATA_DIR: dataDir, PORT: String(appPort), HOST: '127.0.0.1', PUBLIC_URL: base, LOG_LEVEL: 'warn', SESSION_SECRET: secret,
      // The login, token and form limits would turn a load test into 429s (see README, Performance).
      RATE_LIMITS: 'off', NODE_ENV: 'production',
    })
    t = performance.now()
    // With the Node flags `npm start` gives the server (package.json), so the figures are production's.
    const startScript = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
    const nodeFlags = /\bnode ((?:--\S+ )*)dist\/src\/server\.js/.exec(startScript)?.[1]?.trim().split(/\s+/).filter(Boolean) ?? []
    // FABRIK_BENCH_NODE_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"): extra flags for the app, to see where its time goes.
    nodeFlags.push(...(process.env.FABRIK_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean))
    log(`App: node ${[...nodeFlags, 'dist/src/server.js'].join(' ')}`)
    const app = startNode(serverJs, [], env, nodeFlags)
    children.push(app)
    const startupMs = await waitFor200(`${base}/healthz`, app, t)
    log(`App started in ${fmt.int(startupMs)} ms (pid ${app.pid})`)

    // --- 3. Set-up over HTTP: the facilitator's login, the booking form's CSRF token --------------------
    const facilitator = new CookieClient(base)
    const loginPage = await facilitator.request('GET', '/login')
    const login = await facilitator.request('POST', '/login', { email: FACILITATOR_EMAIL, password: FACILITATOR_PASSWORD, _csrf: csrfField(loginPage.body.toString()) })
    if (login.status !== 303) throw new Error(`login answered ${login.status}`)
    const holder = new CookieClient(base)
    const sessionPath = `/${info.slug}/sessions/${info.sessionDate}`
    const form = await holder.request('GET', `${sessionPath}/pitch`)
    const booking = (email: string, csrf = csrfField(form.body.toString())) => new URLSearchParams({
      holder_name: info.bookingHolder.name, holder_email: email, holder_phone: '', holder_kind: 'resident', commune: '',
      attendance: 'on_site', consent: 'yes', initiative_title: 'Un café solidaire au centre du bourg',
      initiative_summary: 'Un lieu où les habitants se retrouvent, tenu par des bénévoles, avec une épicerie solidaire.',
      domain: 'social', stage: 'idee', _csrf: csrf,
    }).toString().replace('%5B%3Cid%3E%5D', '[<id>]') // autocannon's placeholder, left unencoded so it is replaced
    // A new booking is a form shown once and sent once: the form's nonce is its CSRF token (the same token sent
    // again is a double submit, answered from reads), so each new booking gets a token of its own, minted for the
    // holder's cookie as src/web/csrf.ts mints them (anonymous, the instance secret's key).
    const csrfTokens = new CsrfTokens({ userInfo: true, hmacKey: createHmac('sha256', secret).update('csrf').digest() })
    const csrfSecret = holder.cookies.get('fabrik_csrf')!
    const newBooking = () => booking('banc.[<id>]@habitants.example.org', csrfTokens.create(csrfSecret, 'anonymous'))
    const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', cookie: holder.header() }
    const feedToken = personalToken(secret, 'feed-contact', info.heavyContactId)
    const rsvpToken = personalToken(secret, 'rsvp', info.invitationId, 0)

    // The privacy export (#17) is a POST from the privacy page's form: its CSRF token, for the heavy contact
    // (invited to every session: the largest export of the platform).
    const admin = `/admin/p/${info.slug}`
    const privacyPage = await facilitator.request('GET', `${admin}/donnees-personnelles`)
    const exportForm = new URLSearchParams({ _csrf: csrfField(privacyPage.body.toString()), export_email: 'contact.000@partenaire-01-1.example.org', export_confirm: 'contact.000@partenaire-01-1.example.org' }).toString()
    const facilitatorForm = { cookie: facilitator.header(), 'content-type': 'application/x-www-form-urlencoded' }
    // New facilitator pages (#14, #15, #17): held to p99 < 100 ms at 5 connections, like the RSVP table.
    const facilitatorPage = (name: string, path: string): Target => ({ name, audience: 'facilitator', method: 'GET', path, headers: { cookie: facilitator.header() }, expect: 200, connections: 5 })
    const newPages: Target[] = [
      facilitatorPage('attendance screen, 5 conn.', `${admin}/sessions/${info.recordDate}/record/attendance`),
      facilitatorPage('pitch record, 5 conn.', `${admin}/sessions/${info.recordDate}/record`),
      facilitatorPage('Orientations, 5 conn.', `${admin}/referrals`),
      facilitatorPage('minutes preview, 5 conn.', `${admin}/sessions/${info.recordDate}/minutes/preview`),
      facilitatorPage('journey, 5 conn.', `${admin}/initiatives/${info.journeyInitiativeId}/parcours`),
      { name: 'privacy export POST, 5 conn.', audience: 'facilitator', method: 'POST', path: `${admin}/donnees-personnelles/export`, headers: facilitatorForm, body: exportForm, expect: 200, connections: 5 },
    ]

    // The RSVP POST: a partner sending their answer again (on site), as from a second click.
    const partner = new CookieClient(base)
    const rsvpPage = await partner.request('GET', `/rsvp/${rsvpToken}`)
    const rsvpForm = new URLSearchParams({ _csrf: csrfField(rsvpPage.body.toString()), answer: 'on_site', comment: '', delegate_name: '', delegate_email: '' }).toString()

    const reportPath = `/admin/p/${info.slug}/report.json?year=${new Date().getUTCFullYear() - 1}`
    const targets: Target[] = [
      { name: 'platform home', audience: 'public', method: 'GET', path: `/${info.slug}`, expect: 200 },
      { name: 'session page (agenda)', audience: 'public', method: 'GET', path: sessionPath, expect: 200 },
      { name: 'sessions.json', audience: 'public', method: 'GET', path: `/${info.slug}/sessions.json`, expect: 200 },
      { name: 'public feed', audience: 'public', method: 'GET', path: `/${info.slug}/calendar.ics`, expect: 200 },
      { name: 'personal feed', audience: 'public', method: 'GET', path: `/feeds/${feedToken}.ics`, expect: 200 },
      { name: 'RSVP page', audience: 'extra', method: 'GET', path: `/rsvp/${rsvpToken}`, expect: 200 },
      // A platform has a handful of facilitators: their pages are held to their target at 5 connections, and
      // shown at 50 for information.
      { name: 'facilitator: RSVPs, 5 conn.', audience: 'facilitator', method: 'GET', path: `/admin/p/${info.slug}/sessions/${info.sessionDate}/partners`, headers: { cookie: facilitator.header() }, expect: 200, connections: 5 },
      { name: 'facilitator: RSVPs', audience: 'extra', method: 'GET', path: `/admin/p/${info.slug}/sessions/${info.sessionDate}/partners`, headers: { cookie: facilitator.header() }, expect: 200 },
      // The yearly report (#21) of last year, a complete one, on 10 years of history: its target is the time of
      // one request (TARGETS.reportMs, "yearly report" below); under load it is shown for information.
      { name: 'yearly report.json', audience: 'extra', method: 'GET', path: reportPath, headers: { cookie: facilitator.header() }, expect: 200 },
      ...newPages,
      // Its yardstick is the bare server replaying the app's 303 from memory, as for the booking sent again
      // (bare-write.ts answers the booking path only: a POST to /rsvp/ would meet its 404).
      { name: 'RSVP POST', audience: 'extra', method: 'POST', path: `/rsvp/${rsvpToken}`, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: partner.header() }, body: rsvpForm, expect: 303 },
      { name: 'booking POST (same email)', audience: 'write', method: 'POST', path: `${sessionPath}/pitch`, headers: formHeaders, body: booking(info.bookingHolder.email), expect: 303 },
      // Each new booking is a durable write (fsync) under the write lock: measured, bounded by the disk.
      { name: 'booking POST (new emails)', audience: 'extra', bare: 'write', method: 'POST', path: `${sessionPath}/pitch`, headers: formHeaders, nextBody: newBooking, idReplacement: true, expect: 303, mutating: true },
    ]

    if (ONLY) targets.splice(0, targets.length, ...targets.filter((t) => ONLY.some((w) => t.name.includes(w))))

    // --- 4. One request at a time: what each page costs to render, cold then warm -----------------------
    const recorded: RecordedResponse[] = []
    const single: Array<{ name: string; bytes: number; cold: number; warm: number }> = []
    const measuredOnce = new Set<string>()
    for (const target of targets) {
      // One recording per URL (the RSVP table is loaded at two connection counts); none for new bookings.
      if (target.mutating || measuredOnce.has(`${target.method} ${target.path}`)) continue
      measuredOnce.add(`${target.method} ${target.path}`)
      const client = { method: target.method, headers: { ...target.headers } }
      const once = async () => {
        const started = performance.now()
        const res = await fetch(base + target.path, { method: client.method, headers: client.headers, body: target.body, redirect: 'manual' })
        const body = Buffer.from(await res.arrayBuffer())
        return { res, body, ms: performance.now() - started }
      }
      const first = await once()
      if (first.res.status !== target.expect) throw new Error(`${target.name}: ${target.path} answered ${first.res.status}, expected ${target.expect}\n${first.body.toString().slice(0, 500)}`)
      const warm: number[] = []
      for (let i = 0; i < 20; i++) warm.push((await once()).ms)
      warm.sort((a, b) => a - b)
      single.push({ name: target.name, bytes: first.body.length, cold: first.ms, warm: warm[10]! })
      const headers: Record<string, string | string[]> = {}
      first.res.headers.forEach((value, name) => {
        if (!['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'set-cookie'].includes(name)) headers[name] = value
      })
      const cookies = first.res.headers.getSetCookie()
      if (cookies.length) headers['set-cookie'] = cookies
      recorded.push({ method: target.method, path: target.path, status: first.res.status, headers, bodyBase64: first.body.toString('base64') })
    }
    // The new-emails booking has no recording of its own: the bare server answers it with the same-email 303.
    const responsesFile = join(dataDir, 'bare-responses.json')
    writeFileSync(responsesFile, JSON.stringify(recorded))

    // --- 5. The bare server, in its own process -----------------------------------------------------------
    const barePort = await freePort()
    const bareBase = `http://127.0.0.1:${barePort}`
    const bare = startNode(bareJs, [responsesFile, String(barePort)], { PATH: process.env.PATH })
    children.push(bare)
    await waitFor200(`${bareBase}/__ready`, bare, performance.now())
    const writePort = await freePort()
    const writeBase = `http://127.0.0.1:${writePort}`
    const bareWrite = startNode(bareWriteJs, [writeDbFile, String(writePort), `${sessionPath}/pitch`, String(info.sessionId), String(info.platformId)], { PATH: process.env.PATH })
    children.push(bareWrite)
    await waitFor200(`${writeBase}/__ready`, bareWrite, performance.now())

    // The app at rest (the mail worker ticks every 2 s; no mail is due, every past referral already reminded).
    await new Promise((r) => setTimeout(r, 2000)) // the set-up requests' garbage collected first
    const idle0 = cpuSeconds(app.pid)
    await new Promise((r) => setTimeout(r, 4000))
    const idle1 = cpuSeconds(app.pid)
    const idleCpu = idle0 !== null && idle1 !== null ? ((idle1 - idle0) / 4) * 100 : null
    const restKb = procStatusKb(app.pid, 'VmRSS')

    // --- 6. Load, URL by URL: the app, then the bare server -------------------------------------------------
    log(`\nLoad: ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${SECONDS} s per URL and server (autocannon in the bench process)`)
    const results: Array<{ target: Target; app: LoadFigures; bare: LoadFigures }> = []
    const machine0 = machineCpu()
    const ours0 = [cpuSeconds(app.pid), cpuSeconds(bare.pid), cpuSeconds(process.pid)]
    log('  (app CPU ms/request: CPU time the app process spent per answered request — it hardly moves when other processes share the cores, unlike req/s)')
    for (const target of targets) {
      const seconds = target.mutating ? Math.min(3, SECONDS) : SECONDS
      const warmupSeconds = target.mutating ? 0 : WARMUP
      const options = { connections: target.connections ?? CONNECTIONS, seconds, warmupSeconds, expect: target.expect }
      const a = await load(base, target, { ...options, serverPid: app.pid })
      const b = target.bare === 'write'
        ? await load(writeBase, target, { ...options, serverPid: bareWrite.pid })
        : await load(bareBase, target, { ...options, serverPid: bare.pid })
      results.push({ target, app: a, bare: b })
      const cpu = a.cpuMsPerRequest !== null ? ` (app CPU ${a.cpuMsPerRequest.toFixed(2)} ms/request)` : ''
      const rss = procStatusKb(app.pid, 'VmHWM')
      log(`  ${target.name}: app ${fmt.int(a.rps)} req/s p99 ${fmt.ms(a.p99)} ms, bare ${fmt.int(b.rps)} req/s${cpu}, app peak RSS so far ${rss === null ? 'n/a' : `${fmt.int(rss / 1024)} MB`}${a.unexpected || a.errors ? ` — ${a.unexpected} unexpected statuses ${JSON.stringify(a.statuses)}, ${a.errors} errors` : ''}`)
    }

    const machine1 = machineCpu()
    const ours1 = [cpuSeconds(app.pid), cpuSeconds(bare.pid), cpuSeconds(process.pid)]
    let othersShare: number | null = null
    if (machine0 && machine1 && [...ours0, ...ours1].every((v) => v !== null)) {
      const ours = ours1.reduce((a, v, i) => a! + v! - ours0[i]!, 0)!
      othersShare = Math.max(0, (machine1.busy - machine0.busy - ours) / (machine1.total - machine0.total))
    }

    // --- 7. Memory, then shut down ------------------------------------------------------------------------
    const appPeakKb = procStatusKb(app.pid, 'VmHWM')
    const appNowKb = procStatusKb(app.pid, 'VmRSS')
    const barePeakKb = procStatusKb(bare.pid, 'VmHWM')
    for (const c of children) await stopChild(c)

    // --- 8. The figures -----------------------------------------------------------------------------------
    const mb = (kb: number | null) => (kb === null ? 'n/a' : `${fmt.int(kb / 1024)} MB`)
    const verdicts: string[] = []
    const rows = results.map(({ target, app: a, bare: b }) => {
      const ratio = a.rps / b.rps
      const p99Limit = target.audience === 'facilitator' ? TARGETS.facilitatorP99 : TARGETS.publicP99
      const ratioOk = target.audience !== 'public' || ratio >= TARGETS.ratio
      const ok = ratioOk && a.p99 < p99Limit && a.unexpected === 0 && a.errors === 0
      if (!ok && target.audience !== 'extra') verdicts.push(target.name)
      const goal = target.audience === 'extra' ? '—' : target.audience === 'public' ? `≥${TARGETS.ratio}, p99<${p99Limit}` : `p99<${p99Limit}`
      const verdict = target.audience === 'extra' ? (a.unexpected || a.errors ? 'ERRORS' : '') : ok ? 'ok' : 'MISS'
      const cpu = (f: LoadFigures) => (f.cpuMsPerRequest === null ? 'n/a' : f.cpuMsPerRequest.toFixed(3))
      return [target.name, fmt.int(a.rps), fmt.ms(a.p50), fmt.ms(a.p99), fmt.int(b.rps), fmt.ms(b.p50), fmt.ms(b.p99), fmt.ratio(ratio), cpu(a), cpu(b), goal, verdict]
    })
    log(`\n${table(['URL', 'app req/s', 'p50 ms', 'p99 ms', 'bare req/s', 'p50 ms', 'p99 ms', 'app/bare', 'app CPU ms/req', 'bare CPU ms/req', 'target', ''], rows)}`)

    log(`\n${table(['one request at a time', 'bytes', 'first ms', 'median of 20 ms'], single.map((s) => [s.name, fmt.int(s.bytes), fmt.ms(s.cold), fmt.ms(s.warm)]))}`)
    const feeds = single.filter((s) => s.name.endsWith('feed')).sort((x, y) => y.bytes - x.bytes)
    const largest = feeds[0]
    const rssOk = appPeakKb !== null && appPeakKb / 1024 < TARGETS.rssMb
    const startOk = startupMs < TARGETS.startupMs
    if (!rssOk) verdicts.push('peak RSS')
    if (!startOk) verdicts.push('start-up')
    log('')
    log(`app peak RSS (VmHWM):     ${mb(appPeakKb)} (at rest before the load ${mb(restKb)}, after it ${mb(appNowKb)}; bare server ${mb(barePeakKb)})  target < ${TARGETS.rssMb} MB  ${rssOk ? 'ok' : 'MISS'}`)
    log(`start-up to /healthz 200: ${fmt.int(startupMs)} ms  target < ${TARGETS.startupMs} ms  ${startOk ? 'ok' : 'MISS'}`)
    if (largest) log(`largest feed render:      ${largest.name}, ${fmt.int(largest.bytes)} bytes: first ${fmt.ms(largest.cold)} ms, then ${fmt.ms(largest.warm)} ms`)
    const report = single.find((s) => s.name === 'yearly report.json')
    const reportOk = report !== undefined && report.warm < TARGETS.reportMs
    if (!reportOk && !ONLY) verdicts.push('yearly report')
    log(`yearly report (one year): ${report ? `${fmt.int(report.bytes)} bytes: first ${fmt.ms(report.cold)} ms, then ${fmt.ms(report.warm)} ms` : 'not measured'}  target < ${TARGETS.reportMs} ms  ${reportOk ? 'ok' : 'MISS'}`)
    if (idleCpu !== null) log(`app CPU at rest (4 s):    ${idleCpu.toFixed(1)} % of a core, before the load${idleCpu > 10 ? ' — NOT at rest (its worker is busy): CPU per request above includes that work' : ''}`)
    if (othersShare !== null) log(`other processes:          ${(othersShare * 100).toFixed(0)} % of the machine's CPU during the load runs${othersShare > 0.1 ? ' — the figures above are LOWER than on a quiet machine' : ''}`)
    if (!ONLY) verdicts.push(...mailTable(await measureMail(log), log))
    log(verdicts.length ? `\nMissed targets: ${verdicts.join(', ')}` : '\nEvery target met.')
  } finally {
    for (const c of children) await stopChild(c).catch(() => undefined)
    if (KEEP) log(`Kept ${dataDir}`)
    else rmSync(dataDir, { recursive: true, force: true })
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error)
  process.exitCode = 1
})
