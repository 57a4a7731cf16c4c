import { afterEach, beforeEach, describe, expect, it } from 'vitest'
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
  await smtp.close()
  await temp.close()
})

describe('startMailWorker', () => {
  it('runs onTick then delivers on each beat, and stop() waits and closes the transport', async () => {
    const { log } = memoryLog()
    let ticks = 0
    const worker = startMailWorker(ctx, {
      log, intervalMs: 20,
      // Stands for the reminders: queues a message on the same beat, before delivery.
      onTick: async (c) => {
        ticks++
        if (ticks === 1) await enqueueMail(c.db, mail({ dedupeKey: 'reminder:1' }), c.clock().toISOString(), 'fabrik.test')
      },
    })
    await smtp.waitFor(1)
    await worker.stop()
    expect(ticks).toBeGreaterThanOrEqual(1)
    const ticksAtStop = ticks
    await new Promise((r) => setTimeout(r, 80))
    expect(ticks).toBe(ticksAtStop)
    expect(smtp.messages).toHaveLength(1)
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
      log, intervalMs: 10, transport: flaky,
      onTick: async () => { throw new Error('tick failed') },
    })
    await new Promise((r) => setTimeout(r, 100))
    await worker.stop()
    expect(sends).toBe(1)
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
    const worker = startMailWorker(broken, { log, intervalMs: 10, transport: createTransport(ctx.config) })
    await new Promise((r) => setTimeout(r, 60))
    expect(await worker.runOnce()).toBe(0)
    await worker.stop()
    expect(entries.filter((e) => e.msg === 'mail delivery round failed').length).toBeGreaterThan(1)
  })
})
