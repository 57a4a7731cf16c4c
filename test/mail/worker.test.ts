import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { enqueueMail, type NewMail } from '../../src/mail/outbox.js'
import type { MailTransport } from '../../src/mail/transport.js'
import { createTransport } from '../../src/mail/transport.js'
import { startMailWorker, type WorkerLog } from '../../src/mail/worker.js'
import { createViews } from '../../src/web/views.js'
import { TestClock, testConfig } from '../helpers/app.js'
import { type TempDatabase, tempDatabase } from '../helpers/db.js'
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'

const NOW = '2026-03-02T09:00:00.000Z'
const mail = (overrides: Partial<NewMail> = {}): NewMail => ({
  kind: 'session.reminder', platformId: null, sessionId: null, threadKey: null,
  to: { name: 'Élodie Martin', email: 'elodie.martin@caf.example.org' }, subject: 'Rappel', text: 'Bonjour\n', html: '<p>Bonjour</p>', ...overrides,
})

function memoryLog() {
  const entries: Array<{ level: string; obj: object; msg?: string }> = []
  const at = (level: string) => (obj: object, msg?: string) => { entries.push({ level, obj, msg }) }
  const log: WorkerLog = { info: at('info'), warn: at('warn'), error: at('error') }
  return { log, entries }
}

let temp: TempDatabase
let smtp: SmtpPeer
let clock: TestClock
let ctx: AppContext
beforeEach(async () => {
  temp = await tempDatabase()
  smtp = await startSmtpPeer()
  clock = new TestClock(new Date(NOW))
  ctx = { config: testConfig(temp.dataDir, { smtpUrl: smtp.url }), db: temp.db, clock: clock.now, views: createViews() }
})
afterEach(async () => {
  vi.useRealTimers()
  await smtp.close()
  await temp.close()
})

describe('startMailWorker', () => {
  // No sleeps: a round is awaited with runOnce() (it runs after the current one), and the beat itself is
  // counted on fake timers, so a loaded machine changes nothing.
  it('runs onTick then delivers, in the same round', async () => {
    const { log } = memoryLog()
    let ticks = 0
    // A long interval: no beat but the first (and runOnce's) in this test.
    const worker = startMailWorker(ctx, {
      log, intervalMs: 60_000,
      // Stands for the reminders: queues a message on the same beat, before delivery.
      onTick: async (c) => {
        ticks++
        if (ticks === 1) await enqueueMail(c.db, mail({ dedupeKey: 'reminder:1' }), c.clock().toISOString(), 'fabrik.test')
      },
    })
    expect(await worker.runOnce()).toBe(1)
    expect(ticks).toBeGreaterThanOrEqual(1)
    expect(await smtp.waitFor(1)).toHaveLength(1)
    await worker.stop()
  })

  it('beats every intervalMs, one round after the other, and never after stop(), which closes the transport', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    const { log } = memoryLog()
    let ticks = 0
    let closed = false
    const quiet: MailTransport = { mode: 'smtp', async send() { return { response: '250 OK' } }, async close() { closed = true } }
    const worker = startMailWorker(ctx, { log, intervalMs: 1000, transport: quiet, onTick: async () => { ticks++ } })
    // Fires the next timer (the next beat, once the round before it has scheduled it) until n more rounds began.
    const beats = async (n: number) => {
      const target = ticks + n
      while (ticks < target) {
        vi.advanceTimersToNextTimer()
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    await beats(3)
    await worker.stop()
    const ticksAtStop = ticks
    vi.advanceTimersByTime(10 * 1000)
    await new Promise((resolve) => setImmediate(resolve))
    expect(ticks).toBe(ticksAtStop)
    expect(closed).toBe(true)
  })

  it('takes "now" from ctx.clock(): a retry waits until the clock passes it', async () => {
    const { log } = memoryLog()
    smtp.setFailure(() => ({ code: 451, message: '4.3.0 Try later' }))
    await enqueueMail(temp.db, mail(), NOW, 'fabrik.test')
    const worker = startMailWorker(ctx, { log, intervalMs: 60_000 })
    expect(await worker.runOnce()).toBe(0)
    smtp.setFailure(null)
    expect(await worker.runOnce()).toBe(0) // not due before 09:01 on the test clock
    clock.advance(60_000)
    expect(await worker.runOnce()).toBe(1)
    await worker.stop()
  })

  it('never lets an error escape the loop', async () => {
    const { log, entries } = memoryLog()
    let sends = 0
    const flaky: MailTransport = {
      mode: 'smtp',
      async send() {
        sends++
        throw Object.assign(new Error('boom'), { code: 'ESOCKET' })
      },
      async close() {},
    }
    await enqueueMail(temp.db, mail(), NOW, 'fabrik.test')
    const worker = startMailWorker(ctx, {
      log, intervalMs: 60_000, transport: flaky,
      onTick: async () => { throw new Error('tick failed') },
    })
    // Two rounds at least: every tick fails, the send fails once (then waits for its retry), the loop goes on.
    expect(await worker.runOnce()).toBe(0)
    expect(await worker.runOnce()).toBe(0)
    await worker.stop()
    expect(sends).toBe(1)
    expect(entries.filter((e) => e.msg === 'mail worker tick failed').length).toBeGreaterThanOrEqual(2)
    expect(entries.some((e) => e.level === 'error' && e.msg === 'mail worker tick failed')).toBe(true)
    expect(entries.some((e) => e.level === 'warn' && e.msg === 'mail will be retried')).toBe(true)
  })

  it('keeps going when the database fails for a round', async () => {
    const { log, entries } = memoryLog()
    // A database that refuses every write, as a locked or unreachable one would.
    const db = new Proxy(temp.db, {
      get(target, prop) {
        if (prop === 'updateTable') return () => { throw new Error('database is locked') }
        const value = Reflect.get(target, prop)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    const broken = { ...ctx, db }
    const worker = startMailWorker(broken, { log, intervalMs: 60_000, transport: createTransport(ctx.config) })
    // A round fails; the worker still runs the next one.
    expect(await worker.runOnce()).toBe(0)
    expect(await worker.runOnce()).toBe(0)
    await worker.stop()
    expect(entries.filter((e) => e.msg === 'mail delivery round failed').length).toBeGreaterThan(1)
  })
})
