import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../../src/config.js'
import { systemClock } from '../../src/context.js'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { withLinks } from '../../src/mail/links.js'
import { buildMessage, parseFrom } from '../../src/mail/transport.js'
import { inviteContacts } from '../../src/partners/invitations.js'
import { findPlatform } from '../../src/platforms/store.js'
import { findSessionById } from '../../src/sessions/store.js'
import { createViews } from '../../src/web/views.js'
import { fmt, table } from './load.js'
import { generateMailDataset } from './mail-dataset.js'
import { type Child, cpuSeconds, procStatusKb, startNode, stopChild } from './processes.js'

// The mail rows of `npm run bench` (issue #26): the relay's limit and the outbox against it.
// 1. A dataset of one platform, its next session and 1,000 contacts; "Inviter tout le monde"'s store function
//    (partners/invitations.ts inviteContacts) is timed until the 1,000 outbox rows are committed.
// 2. A real SMTP peer in its own process (mail-peer.ts: smtp-server, accepting and discarding).
// 3. The bare baseline in its own process (mail-bare.ts): a nodemailer pool with the app's settings sending
//    1,000 copies of one of those invitations, as the worker hands it over, to the peer.
// 4. The app's worker, `npm run mail:work`'s script in its own process, draining the outbox to the same peer:
//    from its start until the peer accepted the 1,000th message; its RSS sampled every 20 ms meanwhile.

export const MAIL_TARGETS = { ratio: 0.5, queueMs: 1000, timeFactor: 2 }
const CONTACTS = 1000

const here = dirname(fileURLToPath(import.meta.url)) // dist/scripts/bench
const peerJs = join(here, 'mail-peer.js')
const bareJs = join(here, 'mail-bare.js')
const workerJs = join(here, '..', 'mail-work.js')

/** Resolves with the first line the child prints that starts with `prefix`. */
function lineOf(child: Child, prefix: string, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    const timer = setTimeout(() => { done(); reject(new Error(`no "${prefix}" line within ${timeoutMs} ms:\n${child.output()}`)) }, timeoutMs)
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString()
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        if (line.startsWith(prefix)) { done(); resolve(line) }
      }
    }
    const onExit = () => { done(); reject(new Error(`process exited before "${prefix}":\n${child.output()}`)) }
    const done = () => { clearTimeout(timer); child.process.stdout!.off('data', onData); child.process.off('exit', onExit) }
    child.process.stdout!.on('data', onData)
    child.process.on('exit', onExit)
  })
}

export interface MailFigures {
  queueMs: number
  bare: { ms: number; rate: number }
  app: { ms: number; rate: number; cpuMs: number | null; rssStartKb: number | null; rssPeakKb: number | null; rssEndKb: number | null; sent: number; received: number }
}

export async function measureMail(log: (line: string) => void): Promise<MailFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-bench-mail-'))
  const children: Child[] = []
  const secret = randomBytes(32).toString('base64url')
  try {
    // --- The peer first: the app's configuration names it. ----------------------------------------------
    const peer = startNode(peerJs, [], { PATH: process.env.PATH })
    children.push(peer)
    const port = Number((await lineOf(peer, 'ready ')).split(' ')[1])
    const smtpUrl = `smtp://127.0.0.1:${port}`
    const env = { DATA_DIR: dataDir, SMTP_URL: smtpUrl, SESSION_SECRET: secret, PUBLIC_URL: 'https://fabrik.example.org', MAIL_FROM: 'Fabrik <no-reply@fabrik.example.org>', LOG_LEVEL: 'info' }
    const config = loadConfig(env)

    // --- 1. The invitation to 1,000 contacts, queued. --------------------------------------------------
    const db = createDatabase(config)
    await migrateToLatest(db)
    const data = await generateMailDataset(db, CONTACTS, new Date())
    const ctx = { config, db, clock: systemClock, views: createViews() }
    const platform = await findPlatform(db, data.platformId)
    const session = (await findSessionById(db, data.sessionId))!
    const t = performance.now()
    const invited = await inviteContacts(ctx, platform, session, null)
    const queueMs = performance.now() - t
    const queued = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'queued').executeTakeFirstOrThrow()
    if (invited !== CONTACTS || Number(queued.n) !== CONTACTS) throw new Error(`invited ${invited}, queued ${queued.n}, expected ${CONTACTS}`)
    // One of them as the worker hands it to nodemailer (links written in): the bare pool sends copies of it.
    const sample = await db.selectFrom('outbox').selectAll().orderBy('id').limit(1).executeTakeFirstOrThrow()
    const messageFile = join(dataDir, 'bare-message.json')
    writeFileSync(messageFile, JSON.stringify(buildMessage(withLinks(sample, config), parseFrom(config.mailFrom))))
    await db.destroy()
    log(`  mail: ${fmt.int(CONTACTS)} invitations queued in ${fmt.ms(queueMs)} ms; one is ${fmt.int((sample.text_body.length + sample.html_body.length + (sample.ical?.length ?? 0)) / 1024)} kB of text, HTML and calendar`)

    // --- 2. The bare pool. ------------------------------------------------------------------------------
    peer.process.stdin!.write(`expect ${CONTACTS}\n`)
    const bareDone = lineOf(peer, 'done ')
    const bare = startNode(bareJs, [smtpUrl, messageFile, String(CONTACTS)], { PATH: process.env.PATH })
    children.push(bare)
    const bareStart = Number((await lineOf(bare, 'start ')).split(' ')[1])
    const bareLast = Number((await bareDone).split(' ')[3])
    await bare.exited
    const bareMs = bareLast - bareStart
    log(`  mail: bare pool ${fmt.int(CONTACTS / (bareMs / 1000))} msg/s, last accepted after ${fmt.int(bareMs)} ms`)

    // --- 3. The app's worker (`npm run mail:work`). ------------------------------------------------------
    peer.process.stdin!.write(`expect ${CONTACTS}\n`)
    const appDone = lineOf(peer, 'done ')
    const worker = startNode(workerJs, [], { PATH: process.env.PATH, ...env })
    children.push(worker)
    const started = JSON.parse(await lineOf(worker, '{"level":"info","time":')) as { time: string; msg: string }
    if (started.msg !== 'mail worker started') throw new Error(`unexpected first line from the worker: ${JSON.stringify(started)}`)
    const appStart = Date.parse(started.time)
    const cpu0 = cpuSeconds(worker.pid)
    const rssStartKb = procStatusKb(worker.pid, 'VmRSS')
    let rssPeakKb = rssStartKb ?? 0
    const sampler = setInterval(() => { rssPeakKb = Math.max(rssPeakKb, procStatusKb(worker.pid, 'VmRSS') ?? 0) }, 20)
    const appLast = Number((await appDone).split(' ')[3])
    clearInterval(sampler)
    const cpu1 = cpuSeconds(worker.pid)
    const rssEndKb = procStatusKb(worker.pid, 'VmRSS')
    await stopChild(worker)
    const appMs = appLast - appStart

    // Every row sent, each message received once.
    peer.process.stdin!.write('count\n')
    const received = Number((await lineOf(peer, 'count ')).split(' ')[1])
    const check = createDatabase(config)
    const sent = await check.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'sent').executeTakeFirstOrThrow()
    await check.destroy()
    log(`  mail: app worker ${fmt.int(CONTACTS / (appMs / 1000))} msg/s, last accepted after ${fmt.int(appMs)} ms; ${sent.n} rows sent, ${received} messages received`)
    return {
      queueMs,
      bare: { ms: bareMs, rate: CONTACTS / (bareMs / 1000) },
      app: {
        ms: appMs, rate: CONTACTS / (appMs / 1000), cpuMs: cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) * 1000) / CONTACTS : null,
        rssStartKb, rssPeakKb, rssEndKb, sent: Number(sent.n), received,
      },
    }
  } finally {
    for (const c of children) await stopChild(c).catch(() => undefined)
    rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The mail rows in the bench's table style; returns the names of the targets missed. */
export function mailTable(m: MailFigures, log: (line: string) => void): string[] {
  const missed: string[] = []
  const ratio = m.app.rate / m.bare.rate
  const timeOk = m.app.ms < MAIL_TARGETS.timeFactor * m.bare.ms
  const rateOk = ratio >= MAIL_TARGETS.ratio && m.app.sent === CONTACTS && m.app.received === CONTACTS
  const queueOk = m.queueMs < MAIL_TARGETS.queueMs
  if (!rateOk) missed.push('outbox rate')
  if (!timeOk) missed.push('outbox time')
  if (!queueOk) missed.push('invitation queueing')
  const mb = (kb: number | null) => (kb === null ? 'n/a' : fmt.int(kb / 1024))
  log(`\n${table(
    ['mail, 1,000 invitations', 'app msg/s', 'last accepted ms', 'bare msg/s', 'last accepted ms', 'app/bare', 'app CPU ms/msg', 'target', ''],
    [[
      'outbox → SMTP peer', fmt.int(m.app.rate), fmt.int(m.app.ms), fmt.int(m.bare.rate), fmt.int(m.bare.ms), fmt.ratio(ratio),
      m.app.cpuMs === null ? 'n/a' : m.app.cpuMs.toFixed(2), `≥${MAIL_TARGETS.ratio}, <${MAIL_TARGETS.timeFactor}× bare`, rateOk && timeOk ? 'ok' : 'MISS',
    ]],
  )}`)
  log(`invitation queued (1,000): ${fmt.int(m.queueMs)} ms  target < ${MAIL_TARGETS.queueMs} ms  ${queueOk ? 'ok' : 'MISS'}`)
  log(`worker RSS while draining: ${mb(m.app.rssStartKb)} MB at start, peak ${mb(m.app.rssPeakKb)} MB, ${mb(m.app.rssEndKb)} MB after the last (${m.app.sent} rows sent, ${m.app.received} messages received)`)
  return missed
}
