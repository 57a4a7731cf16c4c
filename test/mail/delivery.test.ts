import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { simpleParser } from 'mailparser'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IcsEvent } from '../../src/calendar/ics.js'
import { itipCalendar } from '../../src/calendar/itip.js'
import type { AppContext } from '../../src/context.js'
import { renderMail } from '../../src/mail/compose.js'
import { MAX_ATTEMPTS, enqueueMail, type NewMail, requeue } from '../../src/mail/outbox.js'
import { createTransport, InvalidRecipientError, isPermanent, type MailTransport, parseFrom, type TransportOptions } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { createViews } from '../../src/web/views.js'
import { TestClock, testConfig } from '../helpers/app.js'
import { type TempDatabase, tempDatabase } from '../helpers/db.js'
import { freePort, type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'
import { mailData, PERSONAL_REF, PERSONAL_URL } from './fixtures.js'

const NOW = '2026-03-02T09:00:00.000Z'
const TO = { name: 'Élodie Martin', email: 'elodie.martin@caf.example.org' }

const event: IcsEvent = {
  uid: 'session-abc@fabrik.test', sequence: 1, start: '2026-03-27T08:00:00.000Z', end: '2026-03-27T11:00:00.000Z',
  stamp: NOW, summary: 'Fabrik Lens-Liévin — Harnes', description: 'Réunion mensuelle', location: 'Salle Kraska',
  url: 'http://fabrik.test/lens-lievin/sessions/2026-03-27', conferenceUrl: null, status: 'CONFIRMED',
}
const calendar = (method: 'REQUEST' | 'CANCEL') => ({
  method, content: itipCalendar({ method, event, organizer: { name: 'Animation', email: 'animation@fabrik.test' }, attendee: TO }),
})

let temp: TempDatabase
let clock: TestClock
let peers: SmtpPeer[]
let transports: MailTransport[]

beforeEach(async () => {
  temp = await tempDatabase()
  clock = new TestClock(new Date(NOW))
  peers = []
  transports = []
})
afterEach(async () => {
  for (const t of transports) await t.close()
  for (const p of peers) await p.close()
  await temp.close()
})

function context(smtpUrl: string | null): AppContext {
  return { config: testConfig(temp.dataDir, { smtpUrl }), db: temp.db, clock: clock.now, views: createViews() }
}

async function peer(opts: Parameters<typeof startSmtpPeer>[0] = {}) {
  const p = await startSmtpPeer(opts)
  peers.push(p)
  return p
}

function transportFor(ctx: AppContext, options: TransportOptions = {}) {
  const t = createTransport(ctx.config, { connectionTimeout: 2000, greetingTimeout: 2000, socketTimeout: 2000, ...options })
  transports.push(t)
  return t
}

function enqueue(ctx: AppContext, overrides: Partial<NewMail> = {}) {
  const mail = renderMail(ctx.views, 'session.invitation', mailData())
  return enqueueMail(ctx.db, {
    kind: 'session.invitation', platformId: null, sessionId: null, threadKey: null, to: TO, ...mail, ...overrides,
  }, clock.now().toISOString(), 'fabrik.test')
}

const row = (id: number) => temp.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('over SMTP', () => {
  it('delivers text, html and the calendar part with matching methods and the stored Message-ID', async () => {
    const smtp = await peer()
    const ctx = context(smtp.url)
    const id = (await enqueue(ctx, { ical: calendar('REQUEST') }))!
    expect(await deliverDue(ctx, transportFor(ctx))).toEqual({ sent: 1, retried: 0, failed: 0 })
    const [got] = await smtp.waitFor(1)
    const stored = await row(id)
    expect(stored.status).toBe('sent')
    expect(stored.sent_at).toBe(NOW)

    const m = got!.parsed
    expect(m.messageId).toBe(stored.message_id)
    expect(m.subject).toBe(stored.subject)
    expect(m.text).toContain('Votre lien personnel')
    expect(m.html).toContain('<html lang="fr">')
    // The links are written in as the message leaves; the outbox keeps their references only.
    expect(m.text).toContain(`Votre lien personnel : ${PERSONAL_URL}`)
    expect(m.html).toContain(`href="${PERSONAL_URL}"`)
    expect(`${stored.text_body}${stored.html_body}`).not.toContain(PERSONAL_URL)
    expect(stored.text_body).toContain(PERSONAL_REF)
    expect(m.headers.get('auto-submitted')).toBe('auto-generated')
    expect(m.headers.get('content-type')).toMatchObject({ value: 'multipart/mixed' })
    const cal = m.attachments.find((a) => a.contentType === 'text/calendar')!
    const method = (cal.headers.get('content-type') as { params: Record<string, string> }).params.method
    expect(method).toBe('REQUEST')
    expect(cal.content.toString('utf8')).toMatch(new RegExp(`^METHOD:${method}\\r$`, 'm'))
    const ics = m.attachments.find((a) => a.contentType === 'application/ics')!
    expect(ics.contentDisposition).toBe('attachment')
    expect(ics.filename).toBe('invitation.ics')
    expect(ics.content.toString('utf8')).toBe(stored.ical)
    expect(got!.envelope.rcptTo.map((r) => r.address)).toEqual([TO.email])
    expect(got!.envelope.mailFrom && got!.envelope.mailFrom.address).toBe('no-reply@fabrik.test')
  })

  it('sends a CANCEL with method=CANCEL in the MIME header', async () => {
    const smtp = await peer()
    const ctx = context(smtp.url)
    await enqueue(ctx, { kind: 'session.cancelled', ical: calendar('CANCEL') })
    await deliverDue(ctx, transportFor(ctx))
    const [got] = await smtp.waitFor(1)
    const cal = got!.parsed.attachments.find((a) => a.contentType === 'text/calendar')!
    expect((cal.headers.get('content-type') as { params: Record<string, string> }).params.method).toBe('CANCEL')
    expect(cal.content.toString('utf8')).toContain('METHOD:CANCEL\r\n')
  })

  it('keeps the mail when the server is down, and delivers it exactly once when it is back', async () => {
    const port = await freePort()
    const ctx = context(`smtp://127.0.0.1:${port}`)
    const transport = transportFor(ctx)
    const first = (await enqueue(ctx))!
    const second = (await enqueue(ctx))!
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, retried: 1, failed: 0 })
    const stored = await row(first)
    expect(stored).toMatchObject({ status: 'queued', attempts: 1, next_attempt_at: '2026-03-02T09:01:00.000Z' })
    expect(stored.last_error).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/)
    // The rest of the batch is put back without spending an attempt.
    expect(await row(second)).toMatchObject({ status: 'queued', attempts: 0, next_attempt_at: '2026-03-02T09:01:00.000Z' })
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, retried: 0, failed: 0 })

    const smtp = await peer({ port })
    clock.advance(61_000)
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 2, retried: 0, failed: 0 })
    clock.advance(3600_000)
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, retried: 0, failed: 0 })
    await smtp.waitFor(2)
    expect(smtp.messages.map((m) => m.parsed.messageId).sort()).toEqual([(await row(first)).message_id, (await row(second)).message_id].sort())
  })

  it('gives up on a server that never greets and tries again later', async () => {
    const silent = await peer({ neverGreet: true })
    const ctx = context(silent.url)
    const id = (await enqueue(ctx))!
    const started = Date.now()
    expect(await deliverDue(ctx, transportFor(ctx, { greetingTimeout: 300 }))).toEqual({ sent: 0, retried: 1, failed: 0 })
    expect(Date.now() - started).toBeLessThan(5000)
    const stored = await row(id)
    expect(stored).toMatchObject({ status: 'queued', attempts: 1 })
    expect(stored.last_error).toMatch(/ETIMEDOUT|[Gg]reeting/)
  })

  it('retries after a 451, then delivers', async () => {
    const smtp = await peer({ failWith: () => ({ code: 451, message: '4.3.0 Mailbox busy, try later' }) })
    const ctx = context(smtp.url)
    const transport = transportFor(ctx)
    const id = (await enqueue(ctx))!
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, retried: 1, failed: 0 })
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1, next_attempt_at: '2026-03-02T09:01:00.000Z' })
    expect((await row(id)).last_error).toContain('451')
    smtp.setFailure(null)
    clock.advance(60_000)
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 1, retried: 0, failed: 0 })
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('fails for good on a 550 with the server answer, and "Renvoyer" puts it back', async () => {
    const smtp = await peer({ failWith: () => ({ code: 550, message: '5.1.1 <elodie.martin@caf.example.org>: no such user' }) })
    const ctx = context(smtp.url)
    const transport = transportFor(ctx)
    const id = (await enqueue(ctx))!
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, retried: 0, failed: 1 })
    const failed = await row(id)
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 })
    expect(failed.last_error).toContain('550 5.1.1 <elodie.martin@caf.example.org>: no such user')
    clock.advance(7 * 24 * 3600_000)
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 0, retried: 0, failed: 0 })

    smtp.setFailure(null)
    expect(await requeue(temp.db, id, clock.now().toISOString())).toBe(true)
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 1, retried: 0, failed: 0 })
    expect(smtp.messages).toHaveLength(1)
  })

  it('stops retrying after the last attempt', async () => {
    const smtp = await peer({ failWith: () => ({ code: 451, message: '4.7.1 Greylisted' }) })
    const ctx = context(smtp.url)
    const id = (await enqueue(ctx))!
    await temp.db.updateTable('outbox').set({ attempts: MAX_ATTEMPTS - 1 }).where('id', '=', id).execute()
    expect(await deliverDue(ctx, transportFor(ctx))).toEqual({ sent: 0, retried: 0, failed: 1 })
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS })
  })

  it('keeps CR/LF, quotes and markup in names and data as text: one recipient, no extra header', async () => {
    const smtp = await peer()
    const ctx = context(smtp.url)
    const evil = 'Eve\r\nBcc: x@evil.example "<script>alert(1)</script>'
    const mail = renderMail(ctx.views, 'pitch.confirmed', mailData({ recipientName: evil, initiativeTitle: 'Projet\r\nCc: y@evil.example' }))
    await enqueueMail(temp.db, {
      kind: 'pitch.confirmed', platformId: null, sessionId: null, threadKey: null,
      to: { name: evil, email: TO.email }, ...mail,
    }, NOW, 'fabrik.test')
    expect(await deliverDue(ctx, transportFor(ctx))).toMatchObject({ sent: 1 })
    const [got] = await smtp.waitFor(1)
    expect(got!.envelope.rcptTo.map((r) => r.address)).toEqual([TO.email])
    const head = got!.raw.toString('utf8').split('\r\n\r\n')[0]!
    expect(head).not.toMatch(/^(Bcc|Cc):/im)
    expect(got!.parsed.to && !Array.isArray(got!.parsed.to) ? got!.parsed.to.value.map((v) => v.address) : []).toEqual([TO.email])
    expect(got!.parsed.bcc).toBeUndefined()
    expect(got!.parsed.cc).toBeUndefined()
    expect(got!.parsed.subject).not.toMatch(/[\r\n]/)
    expect(got!.parsed.html).not.toContain('<script>')
    expect(got!.parsed.html).toContain('&lt;script&gt;')
    expect(got!.parsed.text).toContain('Bonjour Eve Bcc: x@evil.example "<script>alert(1)</script>,')
  })

  it('refuses an address that could be read as several as a permanent failure', async () => {
    const smtp = await peer()
    const ctx = context(smtp.url)
    const id = (await enqueue(ctx, { to: { name: 'X', email: 'a@example.org, b@evil.example' } }))!
    expect(await deliverDue(ctx, transportFor(ctx))).toEqual({ sent: 0, retried: 0, failed: 1 })
    expect((await row(id)).last_error).toContain('Adresse du destinataire invalide')
    expect(smtp.messages).toHaveLength(0)
  })
})

describe('the local mail folder (no SMTP_URL)', () => {
  it('writes one .eml per message, CRLF, atomically and once', async () => {
    const ctx = context(null)
    const transport = transportFor(ctx)
    const a = (await enqueue(ctx, { ical: calendar('REQUEST') }))!
    const b = (await enqueue(ctx, { kind: 'pitch.received' }))!
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 2, retried: 0, failed: 0 })
    const folder = join(temp.dataDir, 'outbox')
    const names = readdirSync(folder).sort()
    expect(names).toEqual([`${String(a).padStart(6, '0')}-session.invitation.eml`, `${String(b).padStart(6, '0')}-pitch.received.eml`].sort())
    const file = join(folder, names.find((n) => n.includes('session.invitation'))!)
    const raw = readFileSync(file)
    const text = raw.toString('utf8')
    // A delivered message, with its working link: its owner's alone, like the folder.
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(folder).mode & 0o777).toBe(0o700)
    expect((await simpleParser(raw)).text).toContain(PERSONAL_URL)
    expect(text).toContain('\r\n')
    expect(text).not.toMatch(/[^\r]\n/)
    const parsed = await simpleParser(raw)
    expect(parsed.messageId).toBe((await row(a)).message_id)
    expect(parsed.attachments.some((p) => p.contentType === 'text/calendar')).toBe(true)
    expect((await row(a)).status).toBe('sent')

    // A row sent again (a crash before markSent) keeps its first file.
    const before = statSync(file).mtimeMs
    await temp.db.updateTable('outbox').set({ status: 'queued' }).where('id', '=', a).execute()
    expect(await deliverDue(ctx, transport)).toEqual({ sent: 1, retried: 0, failed: 0 })
    expect(readdirSync(folder).sort()).toEqual(names)
    expect(statSync(file).mtimeMs).toBe(before)
    expect(readFileSync(file).equals(raw)).toBe(true)
  })
})

describe('error classification', () => {
  it('treats 5xx (but 503) and unusable addresses as permanent, the rest as transient', () => {
    expect(isPermanent(Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode: 550, permanent: true }))).toBe(true)
    expect(isPermanent(Object.assign(new Error('x'), { responseCode: 552 }))).toBe(true)
    expect(isPermanent(Object.assign(new Error('x'), { responseCode: 503, permanent: false }))).toBe(false)
    expect(isPermanent(Object.assign(new Error('x'), { responseCode: 451, permanent: false }))).toBe(false)
    expect(isPermanent(Object.assign(new Error('x'), { responseCode: 421 }))).toBe(false)
    for (const code of ['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'ECONNREFUSED']) expect(isPermanent(Object.assign(new Error('x'), { code }))).toBe(false)
    expect(isPermanent(new InvalidRecipientError('x'))).toBe(true)
  })

  it('reads MAIL_FROM as one address object', () => {
    expect(parseFrom('Fabrik <no-reply@fabrik.test>')).toEqual({ name: 'Fabrik', address: 'no-reply@fabrik.test' })
    expect(parseFrom('no-reply@fabrik.test')).toEqual({ name: '', address: 'no-reply@fabrik.test' })
    expect(() => parseFrom('Fabrik')).toThrow(/MAIL_FROM/)
  })
})
