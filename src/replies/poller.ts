import { ImapFlow } from 'imapflow'
import type { AppContext } from '../context.js'
import { processMessage } from './process.js'
import { findState, markMoved, recordFailure, recordSuccess, saveCursor } from './store.js'

// The poller of the ORGANIZER mailbox (REPLY_IMAP_URL): new messages since the last one looked at are read
// one by one; each is recorded before the next, and the cursor (UIDVALIDITY + last UID) moves only once a
// message is done — recorded, and when processed, flagged \Seen and moved to Fabrik/traités — so a poll cut
// short by the server going away loses nothing and repeats nothing. While the server is unreachable the
// poller waits longer between attempts (backoff, recorded in calendar_reply_state); the app keeps serving.

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

/** One poll now (unless a backoff is running and `force` is not set). */
export async function pollReplies(ctx: AppContext, opts: { force?: boolean } = {}): Promise<PollResult> {
  const result: PollResult = { status: 'done', read: 0, applied: 0, unmatched: 0 }
  if (!ctx.config.replyImapUrl) return { ...result, status: 'off' }
  const target = imapTarget(ctx.config.replyImapUrl)
  const state = await findState(ctx.db, target.mailbox)
  if (!opts.force && state?.next_attempt_at && state.next_attempt_at > ctx.clock().toISOString()) return { ...result, status: 'waiting' }
  const client = new ImapFlow({
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
          const done = await processMessage(ctx, { mailbox: target.mailbox, uidValidity: validity, uid, raw: message.source, receivedAt: received })
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
 * On the mail worker's beat (background.ts): starts a poll about once a minute, never two at once, and does
 * not wait for it — a slow or unreachable IMAP server never delays the delivery of mail.
 */
export function kickReplyPoll(ctx: AppContext): void {
  if (!ctx.config.replyImapUrl || running) return
  const now = ctx.clock().getTime()
  if (now - lastStarted < POLL_SECONDS * 1000) return
  lastStarted = now
  running = pollReplies(ctx).catch((error) => ({ status: 'failed' as const, read: 0, applied: 0, unmatched: 0, error: String(error) }))
    .finally(() => { running = null })
}
