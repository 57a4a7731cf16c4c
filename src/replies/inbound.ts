import type * as mailparserModule from 'mailparser'
import { requireLater } from '../require-later.js'
import { type ItipReadResult, readItipReply } from './itip-reply.js'

/** Loaded with the first reply read (REPLY_IMAP_URL deployments only). */
const mailparser = requireLater<typeof mailparserModule>('mailparser')

// What one message of the ORGANIZER mailbox is: a calendar answer (a text/calendar part), a bounce (RFC 3464
// multipart/report; report-type=delivery-status), or anything else (a person writing to the contact address).
// No database: the raw message in, its facts out.

export interface Head {
  messageId: string | null
  from: string | null
  subject: string | null
  /** ISO-8601 UTC of the Date header, if readable. */
  date: string | null
  /** The To and Cc addresses, lower-cased: whose contact address it was sent to. */
  to?: string[]
}

export interface DeliveryFailure {
  recipient: string
  action: string
  status: string
  diagnostic: string | null
}

export type Inbound =
  | { kind: 'reply'; head: Head; calendar: ItipReadResult }
  | { kind: 'bounce'; head: Head; originalMessageId: string | null; failures: DeliveryFailure[] }
  | { kind: 'other'; head: Head }

const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics'])

/** Header-style fields of one block, with folded lines joined (RFC 3464 §2.1 uses RFC 822 folding). */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>()
  let last: string | null = null
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && last) {
      out.set(last, `${out.get(last)} ${line.trim()}`)
      continue
    }
    const m = /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(line)
    if (m) {
      last = m[1]!.toLowerCase()
      out.set(last, m[2]!.trim())
    }
  }
  return out
}

/**
 * The per-recipient blocks of the message/delivery-status part. mailparser does not hand that part out as an
 * attachment (research/ical-email.md §4.3, measured), so it is read from the raw message.
 */
export function deliveryFailures(raw: string): DeliveryFailure[] {
  const start = /^Content-Type:\s*message\/(global-)?delivery-status[^\n]*\n/im.exec(raw)
  if (!start) return []
  const rest = raw.slice(start.index + start[0].length)
  const bodyStart = rest.search(/\r?\n\r?\n/)
  if (bodyStart < 0) return []
  const body = rest.slice(bodyStart).split(/\r?\n--/)[0]!
  const blocks = body.split(/\r?\n[ \t]*\r?\n/).map(fields)
  return blocks.filter((b) => b.has('final-recipient') || b.has('original-recipient')).map((b) => ({
    recipient: (b.get('final-recipient') ?? b.get('original-recipient') ?? '').replace(/^[^;]*;/, '').trim().replace(/^<|>$/g, '').toLowerCase(),
    action: (b.get('action') ?? '').toLowerCase(),
    status: b.get('status') ?? '',
    diagnostic: b.get('diagnostic-code') ?? null,
  }))
}

export async function readInbound(raw: Buffer): Promise<Inbound> {
  const mail = await mailparser().simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true })
  const head: Head = {
    messageId: mail.messageId ?? null,
    from: mail.from?.value[0]?.address?.toLowerCase() ?? null,
    subject: mail.subject ?? null,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : null,
    to: [mail.to, mail.cc].flatMap((a) => (a ? (Array.isArray(a) ? a : [a]) : [])).flatMap((a) => a.value)
      .map((v) => v.address?.toLowerCase()).filter((v): v is string => Boolean(v)),
  }
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined
  if (type?.value?.toLowerCase() === 'multipart/report' && /delivery-status/i.test(type.params?.['report-type'] ?? '')) {
    const original = mail.attachments.find((a) => /^(text\/rfc822-headers|message\/rfc822)$/i.test(a.contentType))
    const id = original ? /^Message-ID:\s*(<[^>\s]+>)/im.exec(original.content.toString('utf8'))?.[1] ?? null : null
    return { kind: 'bounce', head, originalMessageId: id, failures: deliveryFailures(raw.toString('latin1')) }
  }
  const parts = mail.attachments.filter((a) => CALENDAR_TYPES.has(a.contentType.toLowerCase()))
  if (parts.length === 0) return { kind: 'other', head }
  // Gmail and Thunderbird send the same calendar twice (inline and as invite.ics): the first REPLY is read.
  let first: ItipReadResult | null = null
  for (const part of parts) {
    const read = readItipReply(part.content.toString('utf8'))
    if (read.ok) return { kind: 'reply', head, calendar: read }
    first ??= read
  }
  return { kind: 'reply', head, calendar: first! }
}
