import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type nodemailerModule from 'nodemailer'
import type { NodemailerError, SendMailOptions } from 'nodemailer'
import type addressparserFunction from 'nodemailer/lib/addressparser'
import { displayName, singleLine } from '../calendar/sanitise.js'
import type { Config } from '../config.js'
import type { OutboxRow } from '../db/schema.js'
import { requireLater } from '../require-later.js'

// Where an outbox row goes: an SMTP server (SMTP_URL), or, without one, the local mail folder
// DATA_DIR/outbox/ with one .eml file per message, byte for byte what SMTP would have received.

// nodemailer is loaded by the mail worker's first round, not with the pages (a tenth of a second of start-up).
const nodemailer = requireLater<typeof nodemailerModule>('nodemailer')
const addressparser = requireLater<typeof addressparserFunction>('nodemailer/lib/addressparser')

export interface MailTransport {
  mode: 'smtp' | 'folder'
  /** How many messages it takes at once (the pool's connections); one when absent. */
  concurrency?: number
  send(row: OutboxRow): Promise<{ response: string }>
  close(): Promise<void>
}

export interface TransportOptions {
  connectionTimeout?: number
  greetingTimeout?: number
  socketTimeout?: number
}

type TransportConfig = Pick<Config, 'smtpUrl' | 'mailFrom' | 'dataDir'>

export function outboxFolder(dataDir: string): string {
  return join(dataDir, 'outbox')
}

/** MAIL_FROM ("Fabrik <no-reply@example.org>") as the object nodemailer should get. */
export function parseFrom(mailFrom: string): { name: string; address: string } {
  const first = addressparser()(mailFrom, { flatten: true })[0]
  if (!first?.address) throw new Error(`MAIL_FROM is not an address: ${mailFrom}`)
  return { name: displayName(first.name), address: first.address }
}

// An address that could be read as several, or as a header, never reaches nodemailer (research §2.11):
// addresses are validated on input; this is the last line.
const PLAIN_ADDRESS = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+$/

export class InvalidRecipientError extends Error {
  readonly permanent = true
}

/** The message for one outbox row; the recipient is always one `{ name, address }` object. */
export function buildMessage(row: OutboxRow, from: { name: string; address: string }): SendMailOptions {
  if (!PLAIN_ADDRESS.test(row.to_email) || row.to_email.length > 254) {
    throw new InvalidRecipientError('Adresse du destinataire invalide')
  }
  const message: SendMailOptions = {
    from,
    to: { name: displayName(row.to_name), address: row.to_email },
    subject: singleLine(row.subject) || '(sans objet)',
    text: row.text_body,
    html: row.html_body,
    messageId: row.message_id,
    // Every message names its mail kind, so that readers can sort Fabrik's mail with their client's rules.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Fabrik-Kind': fabrikKind(row.kind) },
  }
  if (row.ical && row.ical_method) {
    // The MIME method parameter must equal the METHOD line inside (RFC 6047 §2.4): both come from the row.
    message.icalEvent = { method: row.ical_method, content: row.ical, filename: 'invitation.ics' }
  }
  return message
}

/** The X-Fabrik-Kind header's value: the stable mail-kind key (`session.minutes`), never anything else. */
export function fabrikKind(kind: string): string {
  return kind.replace(/[^a-z0-9.-]/gi, '') || 'unknown'
}

/** Permanent: the server refused this message for good (5xx except 503), or the address cannot be used. */
export function isPermanent(err: unknown): boolean {
  const e = err as Partial<NodemailerError> & { permanent?: boolean }
  if (e?.permanent === true) return true
  if (typeof e?.responseCode === 'number') return e.responseCode >= 500 && e.responseCode < 600 && e.responseCode !== 503
  return false
}

/** The error as the facilitator should read it: the server's own answer when there is one. */
export function describeError(err: unknown): string {
  const e = err as Partial<NodemailerError>
  const text = e?.response || e?.message || String(err)
  const code = e?.code ? `${e.code}: ` : ''
  return `${code}${text}`.slice(0, 1000)
}

export function createTransport(config: TransportConfig, options: TransportOptions = {}): MailTransport {
  const from = parseFrom(config.mailFrom)
  return config.smtpUrl ? smtpTransport(config.smtpUrl, from, options) : folderTransport(outboxFolder(config.dataDir), from)
}

/** Connections the SMTP pool keeps open to the relay (nodemailer's default), each sending one message at a time. */
export const POOL_CONNECTIONS = 5

/** The SMTP pool's settings (the mail bench's bare pool uses the same). */
export function smtpPoolOptions(url: string, options: TransportOptions = {}) {
  return {
    url,
    pool: true as const,
    maxConnections: POOL_CONNECTIONS,
    // Short timeouts: nodemailer's defaults (2 min connect, 10 min socket) would hold a worker round for long.
    connectionTimeout: options.connectionTimeout ?? 10_000,
    greetingTimeout: options.greetingTimeout ?? 10_000,
    socketTimeout: options.socketTimeout ?? 30_000,
  }
}

function smtpTransport(url: string, from: { name: string; address: string }, options: TransportOptions): MailTransport {
  const transporter = nodemailer().createTransport(smtpPoolOptions(url, options))
  return {
    mode: 'smtp',
    concurrency: POOL_CONNECTIONS,
    async send(row) {
      const info = await transporter.sendMail(buildMessage(row, from))
      return { response: String(info.response ?? '') }
    },
    async close() {
      transporter.close()
    },
  }
}

function folderTransport(folder: string, from: { name: string; address: string }): MailTransport {
  const builder = nodemailer().createTransport({ streamTransport: true, buffer: true, newline: 'windows' })
  return {
    mode: 'folder',
    async send(row) {
      const name = emlName(row)
      const target = join(folder, name)
      // Written once: a row retried after a crash between the write and markSent keeps its first file.
      if (await exists(target)) return { response: `déjà écrit : ${name}` }
      const info = await builder.sendMail(buildMessage(row, from))
      // Each file is a delivered message, personal links included: the owner's alone, like the database.
      await mkdir(folder, { recursive: true, mode: 0o700 })
      await writeAtomically(folder, name, info.message as Buffer)
      return { response: `écrit : ${name}` }
    },
    async close() {
      builder.close()
    },
  }
}

export function emlName(row: Pick<OutboxRow, 'id' | 'kind'>): string {
  return `${String(row.id).padStart(6, '0')}-${row.kind.replace(/[^a-z0-9.-]/gi, '-')}.eml`
}

/** Deletes the local copies (.eml) of messages whose content the outbox has purged; absent files are fine. */
export async function removeMessageFiles(dataDir: string, rows: Array<Pick<OutboxRow, 'id' | 'kind'>>): Promise<void> {
  const folder = outboxFolder(dataDir)
  for (const row of rows) await rm(join(folder, emlName(row)), { force: true })
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** Temporary file in the same folder, flushed, then renamed: a reader never sees half a message. */
async function writeAtomically(folder: string, name: string, bytes: Buffer): Promise<void> {
  const temp = join(folder, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(bytes)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, join(folder, name))
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}
