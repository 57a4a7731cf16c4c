import type * as imapflowModule from 'imapflow'
import { requireLater } from '../require-later.js'
import type { AppContext } from '../context.js'
import { MAILBOX_SECRET_PURPOSE, withPassword } from '../platforms/mailbox.js'
import { openSecret } from '../web/secret-box.js'
import { platformMailboxes } from './lookups.js'
import { processMessage } from './process.js'
import { findState, markMoved, recordFailure, recordSuccess, saveCursor } from './store.js'

/** Only deployments that read replies (REPLY_IMAP_URL) load the IMAP client, on the first poll. */
const imapflow = requireLater<typeof imapflowModule>('imapflow')

// The poller of the ORGANIZER mailbox (REPLY_IMAP_URL): new messages since the last one looked at are read
// one by one; each is recorded before the next, and the cursor (UIDVALIDITY + last UID) moves only once a
// message is done — recorded, and when processed, flagged \Seen and moved to Fabrik/traités — so a poll cut
// short by the server going away loses nothing and repeats nothing. While the server is unreachable the
// poller waits longer between attempts (backoff, recorded in calendar_reply_state); the app keeps serving.
// Mailboxes read (tracker 23): the instance's REPLY_IMAP_URL, and every platform's own (its settings page;
// the password sealed with web/secret-box.ts). A platform's mailbox answers for that platform only: what it
// holds that Fabrik cannot match is that platform's (listed on its mail page alone).

const PROCESSED_FOLDER = ['Fabrik', 'traités']
/** Between two polls of a reachable server. */
const POLL_SECONDS = 60
/** At most this many messages per poll: a full inbox is worked through over several polls. */
const BATCH = 50

export interface ImapTarget { host: string; port: number; secure: boolean; user: string; pass: string; folder: string; mailbox: string }

/** REPLY_IMAP_URL taken apart; `mailbox` names it in the database, without the password. */
export function imapTarget(url: string): ImapTarget {
  const u = new URL(url)
  const secure = u.protocol === 'imaps:'
  const folder = decodeURIComponent(u.pathname.replace(/^\/+/, '')) || 'INBOX'
  const port = u.port ? Number(u.port) : secure ? 993 : 143
  const user = decodeURIComponent(u.username)
  return { host: u.hostname, port, secure, user, pass: decodeURIComponent(u.password), folder, mailbox: `${user}@${u.hostname}:${port}/${folder}` }
}

/** Seconds to wait after `failures` failed polls in a row: 30 s, 1 min, 2 min… at most 30 min. */
export function backoffSeconds(failures: number): number {
  return Math.min(30 * 2 ** Math.max(0, failures - 1), 1800)
}

export interface PollResult {
  status: 'off' | 'waiting' | 'done' | 'failed'
  read: number
  applied: number
  unmatched: number
  error?: string
}

/** A mailbox to read: its URL with the password, and the platform it belongs to (null: the instance's). */
export interface Mailbox { url: string; platformId: number | null }

/** The instance's mailbox and every (not archived) platform's own; one mailbox named twice is read once, as the platform's. */
export async function mailboxesToRead(ctx: AppContext): Promise<Mailbox[]> {
  const boxes = new Map<string, Mailbox>()
  if (ctx.config.replyImapUrl) boxes.set(imapTarget(ctx.config.replyImapUrl).mailbox, { url: ctx.config.replyImapUrl, platformId: null })
  for (const row of await platformMailboxes(ctx.db)) {
    const password = openSecret(ctx.config.sessionSecret, MAILBOX_SECRET_PURPOSE, row.reply_imap_secret)
    if (password === null) continue
    const url = withPassword(row.reply_imap_url, password)
    boxes.set(imapTarget(url).mailbox, { url, platformId: row.id })
  }
  return [...boxes.values()]
}

/** One poll now of every mailbox (each unless its backoff is running and `force` is not set). */
export async function pollReplies(ctx: AppContext, opts: { force?: boolean } = {}): Promise<PollResult> {
  const boxes = await mailboxesToRead(ctx)
  if (boxes.length === 0) return { status: 'off', read: 0, applied: 0, unmatched: 0 }
  const results: PollResult[] = []
  for (const box of boxes) results.push(await pollMailbox(ctx, box, opts))
  const failed = results.find((r) => r.status === 'failed')
  return {
    status: failed ? 'failed' : results.every((r) => r.status === 'waiting') ? 'waiting' : 'done',
    read: results.reduce((n, r) => n + r.read, 0), applied: results.reduce((n, r) => n + r.applied, 0),
    unmatched: results.reduce((n, r) => n + r.unmatched, 0), ...(failed?.error ? { error: failed.error } : {}),
  }
}

/** One poll of one mailbox. */
export async function pollMailbox(ctx: AppContext, source: Mailbox, opts: { force?: boolean } = {}): Promise<PollResult> {
  const result: PollResult = { status: 'done', read: 0, applied: 0, unmatched: 0 }
  const target = imapTarget(source.url)
  const state = await findState(ctx.db, target.mailbox)
  if (!opts.force && state?.next_attempt_at && state.next_attempt_at > ctx.clock().toISOString()) return { ...result, status: 'waiting' }
  const client = new (imapflow().ImapFlow)({
    host: target.host, port: target.port, secure: target.secure, auth: { user: target.user, pass: target.pass },
    logger: false, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 120_000,
  })
  // An error event after connect (the server going away) must not crash the process: the poll's own await fails.
  client.on('error', () => undefined)
  try {
    await client.connect()
    // Made (or found) once per poll, and only when a message is to be filed in it.
    let processed: string | null = null
    const lock = await client.getMailboxLock(target.folder)
    try {
      const box = client.mailbox as { uidValidity: bigint | number; exists: number }
      const validity = String(box.uidValidity)
      let lastUid = state?.uid_validity === validity ? state.last_uid : 0
      const uids: number[] = []
      if (box.exists > 0) {
        for await (const m of client.fetch(`${lastUid + 1}:*`, { uid: true }, { uid: true })) if (m.uid > lastUid) uids.push(m.uid)
      }
      for (const uid of uids.sort((a, b) => a - b).slice(0, BATCH)) {
        const message = await client.fetchOne(String(uid), { uid: true, source: true, internalDate: true }, { uid: true })
        if (message && message.source) {
          const received = message.internalDate ? new Date(message.internalDate).toISOString() : null
          const done = await processMessage(ctx, { mailbox: target.mailbox, platformId: source.platformId, uidValidity: validity, uid, raw: message.source, receivedAt: received })
          result.read++
          if (done.outcome === 'applied') result.applied++
          if (done.outcome === 'unmatched') result.unmatched++
          if (done.file) {
            await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
            processed ??= (await client.mailboxCreate(PROCESSED_FOLDER)).path
            await client.messageMove(String(uid), processed, { uid: true })
            await markMoved(ctx.db, target.mailbox, done.messageId)
          }
        }
        lastUid = uid
        await saveCursor(ctx.db, target.mailbox, validity, lastUid)
      }
    } finally {
      lock.release()
    }
    await recordSuccess(ctx.db, target.mailbox, ctx.clock().toISOString())
    return result
  } catch (error) {
    const failures = (state?.failures ?? 0) + 1
    const message = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}`.trim() : String(error)
    const nextAt = new Date(ctx.clock().getTime() + backoffSeconds(failures) * 1000).toISOString()
    await recordFailure(ctx.db, target.mailbox, message, failures, nextAt, ctx.clock().toISOString())
    return { ...result, status: 'failed', error: message }
  } finally {
    await client.logout().catch(() => client.close())
  }
}

let running: Promise<PollResult> | null = null
let lastStarted = 0

/**
 * On the mail worker's beat (background.ts): starts a poll of every mailbox about once a minute, never two at once, and does
 * not wait for it — a slow or unreachable IMAP server never delays the delivery of mail.
 */
export function kickReplyPoll(ctx: AppContext): void {
  if (running) return
  const now = ctx.clock().getTime()
  if (now - lastStarted < POLL_SECONDS * 1000) return
  lastStarted = now
  running = pollReplies(ctx).catch((error) => ({ status: 'failed' as const, read: 0, applied: 0, unmatched: 0, error: String(error) }))
    .finally(() => { running = null })
}
