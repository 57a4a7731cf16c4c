import { expect } from 'vitest'
import type { ReceivedMail, SmtpPeer } from '../helpers/smtp.js'
import { lintIcs, type ParsedIcs, parseIcs } from '../helpers/ics-lint.js'

// Reading what the in-test SMTP server received, as a recipient's mail app would: who it went to, its
// subject, its text part, the links in it, and its calendar part (the text/calendar alternative whose
// `method` parameter must equal the METHOD line inside, RFC 6047 §2.4).

/**
 * How each mail kind's French subject begins (src/mail/kinds.ts). Messages carry no kind header, so the
 * subject is what tells them apart — as it does for the person reading them.
 */
export const SUBJECT_STARTS: Record<string, RegExp> = {
  'session.invitation': /^Invitation : séance du /,
  'session.updated': /^Changement pour la séance du /,
  'session.cancelled': /^Annulation : la séance du /,
  'session.reminder': /^Rappel : séance du /,
  'pitch.received': /^Votre demande de présentation est bien reçue /,
  'pitch.confirmed': /^Votre présentation est confirmée pour la séance du /,
  'pitch.waiting': /^Liste d'attente pour la séance du /,
  'pitch.promoted': /^Une place s'est libérée : vous présentez le /,
  'pitch.declined': /^Votre demande de présentation pour la séance du /,
  'pitch.moved': /^Votre présentation est déplacée à la séance du /,
  'pitch.withdrawn': /^Votre présentation du .* est retirée/,
  'pitch.slot': /^Nouvel horaire de passage pour la séance du /,
  'pitch.verify': /^Confirmez votre réservation pour la séance du /,
  'pitch.link': /^Votre lien personnel pour la séance du /,
}

export interface MailQuery {
  /** Envelope recipient (case-insensitive). */
  to?: string
  /** A key of SUBJECT_STARTS. */
  kind?: string
  /** Substring of, or pattern for, the subject. */
  subject?: string | RegExp
  /** Any further test (e.g. on the calendar part). */
  where?: (mail: ReceivedMail) => boolean
}

/** The envelope recipients (RCPT TO), lower-cased. */
export function recipients(mail: ReceivedMail): string[] {
  return mail.envelope.rcptTo.map((r) => r.address.toLowerCase())
}

export function subjectOf(mail: ReceivedMail): string {
  return mail.parsed.subject ?? ''
}

export function matches(mail: ReceivedMail, q: MailQuery): boolean {
  if (q.to && !recipients(mail).includes(q.to.toLowerCase())) return false
  const subject = subjectOf(mail)
  if (q.kind) {
    const start = SUBJECT_STARTS[q.kind]
    if (!start) throw new Error(`unknown mail kind ${q.kind}`)
    if (!start.test(subject)) return false
  }
  if (typeof q.subject === 'string' && !subject.includes(q.subject)) return false
  if (q.subject instanceof RegExp && !q.subject.test(subject)) return false
  if (q.where && !q.where(mail)) return false
  return true
}

export function findMails(messages: ReceivedMail[], q: MailQuery): ReceivedMail[] {
  return messages.filter((m) => matches(m, q))
}

function describe(q: MailQuery): string {
  return JSON.stringify({ ...q, subject: q.subject instanceof RegExp ? String(q.subject) : q.subject, where: q.where ? String(q.where) : undefined })
}

/** A one-line list of what arrived, for failure messages. */
export function inventory(messages: ReceivedMail[]): string {
  return messages.map((m) => `  ${recipients(m).join(',')}: ${subjectOf(m)}`).join('\n') || '  (nothing)'
}

/**
 * Waits until `count` messages matching `q` have arrived (the mail worker sends every 2 s) and returns them
 * all; fails with what did arrive.
 */
export async function waitForMails(smtp: SmtpPeer, q: MailQuery, count = 1, timeoutMs = 15_000): Promise<ReceivedMail[]> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = findMails(smtp.messages, q)
    if (found.length >= count) return found
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} message(s) matching ${describe(q)} within ${timeoutMs} ms, got ${found.length}; received:\n${inventory(smtp.messages)}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Exactly one matching message, once it has arrived. */
export async function waitForMail(smtp: SmtpPeer, q: MailQuery, timeoutMs?: number): Promise<ReceivedMail> {
  const [mail, ...more] = await waitForMails(smtp, q, 1, timeoutMs)
  if (more.length) throw new Error(`expected one message matching ${describe(q)}, got ${more.length + 1}:\n${inventory(smtp.messages)}`)
  return mail!
}

/** The text/plain part. */
export function textOf(mail: ReceivedMail): string {
  const text = mail.parsed.text
  if (!text) throw new Error(`"${subjectOf(mail)}" has no text part`)
  return text
}

/** The first absolute link in the text part whose path matches `path` (e.g. /^\/pitch\//). */
export function linkIn(mail: ReceivedMail, path: RegExp): string {
  const links = textOf(mail).match(/https?:\/\/[^\s<>")]+/g) ?? []
  const link = links.find((l) => path.test(new URL(l).pathname))
  if (!link) throw new Error(`no link to ${path} in the text of "${subjectOf(mail)}":\n${textOf(mail)}`)
  return link
}

export interface CalendarPart {
  /** The `method` parameter of the part's Content-Type (upper-case), or null. */
  mimeMethod: string | null
  source: string
  /** ical.js's reading of it. */
  ics: ParsedIcs
  /** lintIcs problems (CRLF, folding, UTC stamps…); empty when clean. */
  problems: string[]
}

/**
 * The message's calendar part, checked: clean by the linter, the same METHOD in the MIME header and in the
 * calendar, exactly one event — returned with that event.
 */
export function oneEventOf(mail: ReceivedMail, method: 'REQUEST' | 'CANCEL') {
  const part = calendarOf(mail)
  expect(part.problems).toEqual([])
  expect(part.mimeMethod).toBe(method)
  expect(part.ics.method).toBe(method)
  expect(part.ics.events).toHaveLength(1)
  return { ...part, event: part.ics.events[0]! }
}

/** The text/calendar part (mailparser lists it among the attachments), parsed; throws when there is none. */
export function calendarOf(mail: ReceivedMail): CalendarPart {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar')
  if (!part) throw new Error(`"${subjectOf(mail)}" has no text/calendar part (parts: ${mail.parsed.attachments.map((a) => a.contentType).join(', ') || 'none'})`)
  const header = part.headers.get('content-type') as { value?: string; params?: Record<string, string> } | string | undefined
  const method = typeof header === 'object' && header ? header.params?.method ?? null : null
  const source = part.content.toString('utf8')
  return { mimeMethod: method ? method.toUpperCase() : null, source, ics: parseIcs(source), problems: lintIcs(part.content) }
}
