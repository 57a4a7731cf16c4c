import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { afterEach, describe, expect, it } from 'vitest'
import { createTransport, type MailTransport, outboxFolder } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { outboxRows } from '../helpers/factories.js'
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'
import { minutesWorld, type MinutesWorld, sendFromPage } from './helpers.js'

// Every message Fabrik sends names its mail kind in X-Fabrik-Kind: the booking, referral and minutes mails
// the app queued, delivered by the worker over SMTP (a real SMTP server) and into the local .eml folder.

let w: MinutesWorld
let smtp: SmtpPeer | null = null
let transport: MailTransport | null = null
afterEach(async () => {
  await transport?.close()
  await smtp?.close()
  transport = null
  smtp = null
  await w?.t.close()
})

async function deliverAll(): Promise<number> {
  let total = 0
  for (;;) {
    const { sent } = await deliverDue(w.t.app.ctx, transport!)
    if (sent === 0) return total
    total += sent
  }
}

describe('X-Fabrik-Kind', () => {
  it('is on every message sent over SMTP, with its kind key', async () => {
    w = await minutesWorld()
    await sendFromPage(w.admin)
    smtp = await startSmtpPeer()
    transport = createTransport({ ...w.t.config, smtpUrl: smtp.url })
    const rows = await outboxRows(w.t.db)
    const kinds = new Set(rows.map((r) => r.kind))
    for (const k of ['pitch.confirmed', 'referral.made', 'session.minutes', 'pitch.minutes']) expect(kinds).toContain(k)
    expect(await deliverAll()).toBe(rows.length)
    const got = await smtp.waitFor(rows.length)
    const byId = new Map(rows.map((r) => [r.message_id, r.kind]))
    for (const m of got) {
      expect(m.parsed.headers.get('x-fabrik-kind')).toBe(byId.get(m.parsed.messageId!))
      expect(m.raw.toString('utf8')).toMatch(/^X-Fabrik-Kind: [a-z.-]+\r$/m)
    }
    expect(new Set(got.map((m) => m.parsed.headers.get('x-fabrik-kind')))).toEqual(kinds)
  })

  it('is on every .eml file of the local mail folder', async () => {
    w = await minutesWorld()
    await sendFromPage(w.admin)
    transport = createTransport({ ...w.t.config, smtpUrl: null })
    const rows = await outboxRows(w.t.db)
    expect(await deliverAll()).toBe(rows.length)
    const folder = outboxFolder(w.t.config.dataDir)
    const files = readdirSync(folder).filter((f) => f.endsWith('.eml'))
    expect(files).toHaveLength(rows.length)
    for (const file of files) {
      const kind = /^\d+-(.+)\.eml$/.exec(file)![1]!
      const parsed = await simpleParser(readFileSync(join(folder, file)))
      expect(parsed.headers.get('x-fabrik-kind')).toBe(kind)
    }
    expect(files.some((f) => f.endsWith('-session.minutes.eml'))).toBe(true)
    expect(files.some((f) => f.endsWith('-pitch.minutes.eml'))).toBe(true)
  })
})
