import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { markAddressFailing, recordCalendarAnswer } from '../partners/calendar-answers.js'
import { findSessionInvitationByEmail } from '../partners/invitation-store.js'
import { findPlatform } from '../platforms/store.js'
import { decideReply } from './decide.js'
import { type Head, type Inbound, readInbound } from './inbound.js'
import { replyingAttendee } from './itip-reply.js'
import { platformOfAddresses, sentMessage, sessionByUid } from './lookups.js'
import { findReply, insertReply, type NewCalendarReply } from './store.js'

// One message of the ORGANIZER mailbox, start to end: read it, decide, write the answer and the record of the
// message together. A message is recorded once per mailbox and Message-ID, so the same message seen again (a
// second copy, a poll interrupted before the move) changes nothing. What Fabrik could not match is recorded
// too, and stays in the inbox for a person to read.

export interface MessageRef {
  mailbox: string
  /** The platform whose own mailbox this is; null: the instance's REPLY_IMAP_URL. */
  platformId?: number | null
  uidValidity: string
  uid: number
  raw: Buffer
  receivedAt: string | null
}

export type ProcessOutcome = NewCalendarReply['outcome'] | 'known'

export interface Processed {
  outcome: ProcessOutcome
  /** Flag it \Seen and move it to Fabrik/traités; false: it stays in the inbox, unread. */
  file: boolean
  /** Its record's key in the mailbox (the Message-ID, or one made of the UID when it has none). */
  messageId: string
}

class AlreadyRecorded extends Error {}

// A permanent failure (RFC 3464 §2.3.3, RFC 3463 class 5); "delayed" and 4.x.x reports change nothing.
const PERMANENT = /^5\.\d{1,3}\.\d{1,3}$/

export async function processMessage(ctx: AppContext, ref: MessageRef): Promise<Processed> {
  const inbound = await readInbound(ref.raw)
  const messageId = (inbound.head.messageId ?? `imap-uid:${ref.uidValidity}:${ref.uid}`).slice(0, 500)
  const done = await processInbound(ctx, ref, inbound, messageId)
  return { ...done, messageId }
}

async function processInbound(ctx: AppContext, ref: MessageRef, inbound: Inbound, messageId: string): Promise<Omit<Processed, 'messageId'>> {
  const known = await findReply(ctx.db, ref.mailbox, messageId)
  if (known) return { outcome: 'known', file: known.outcome !== 'unmatched' }
  const now = ctx.clock().toISOString()
  // Whose message it is when nothing in it names a session: the mailbox's platform, else the one platform
  // whose contact address it was sent to (the instance's mailbox may serve several), else nobody's.
  const owner = ref.platformId ?? await platformOfAddresses(ctx.db, inbound.head.to ?? [])
  const base = { ...rowBase(ref, inbound.head, messageId, now), platform_id: owner }
  const save = async (db: Db, row: NewCalendarReply) => {
    if (!(await insertReply(db, row))) throw new AlreadyRecorded()
  }
  try {
    if (inbound.kind === 'other') {
      await save(ctx.db, { ...base, kind: 'other', outcome: 'unmatched', reason: 'no_calendar' })
      return { outcome: 'unmatched', file: false }
    }
    if (inbound.kind === 'bounce') return await processBounce(ctx, base, inbound.originalMessageId, inbound.failures, save, now)
    if (!inbound.calendar.ok) {
      await save(ctx.db, { ...base, kind: 'reply', outcome: 'unmatched', reason: inbound.calendar.reason })
      return { outcome: 'unmatched', file: false }
    }
    const reply = inbound.calendar.reply
    const attendee = replyingAttendee(reply)
    // A platform's own mailbox answers for its sessions only.
    const found = await sessionByUid(ctx.db, reply.uid)
    const session = found && (ref.platformId == null || found.platform_id === ref.platformId) ? found : undefined
    const invitation = session && attendee ? await findSessionInvitationByEmail(ctx.db, session.id, attendee.email) : undefined
    const decision = decideReply(reply, session ?? null, invitation ?? null, ctx.clock())
    const row: NewCalendarReply = {
      ...base, kind: 'reply', outcome: decision.outcome, reason: 'reason' in decision ? decision.reason : null,
      platform_id: session?.platform_id ?? owner, session_id: session?.id ?? null, invitation_id: invitation?.id ?? null,
      attendee_email: attendee?.email ?? null, partstat: attendee?.partstat ?? null, sequence: reply.sequence, dtstamp: reply.dtstamp,
    }
    if (decision.outcome !== 'applied' || !session || !invitation) {
      await save(ctx.db, row)
      return { outcome: decision.outcome, file: decision.outcome !== 'unmatched' }
    }
    const platform = await findPlatform(ctx.db, session.platform_id)
    const done = await recordCalendarAnswer(ctx, platform, session, invitation, {
      answer: decision.answer, comment: decision.comment, answeredAt: decision.answeredAt, delegate: decision.delegate,
    }, (trx) => save(trx, row))
    if (done.ok) return { outcome: 'applied', file: true }
    // The link would have refused this colleague too (their own address, a cap reached): left for a person.
    await save(ctx.db, { ...row, outcome: 'unmatched', reason: 'delegate_refused' })
    return { outcome: 'unmatched', file: false }
  } catch (error) {
    if (error instanceof AlreadyRecorded) return { outcome: 'known', file: true }
    throw error
  }
}

function rowBase(ref: MessageRef, head: Head, messageId: string, now: string) {
  return {
    mailbox: ref.mailbox, message_id: messageId, imap_uid: ref.uid,
    from_address: head.from?.slice(0, 320) ?? null, subject: head.subject?.slice(0, 300) ?? null,
    received_at: ref.receivedAt ?? head.date, processed_at: now,
  }
}

async function processBounce(
  ctx: AppContext, base: ReturnType<typeof rowBase> & { platform_id: number | null }, originalMessageId: string | null,
  failures: Array<{ recipient: string; action: string; status: string; diagnostic: string | null }>,
  save: (db: Db, row: NewCalendarReply) => Promise<void>, now: string,
): Promise<Omit<Processed, 'messageId'>> {
  const returned = originalMessageId ? await sentMessage(ctx.db, originalMessageId) : undefined
  const sent = returned && (base.platform_id == null || returned.platform_id === base.platform_id) ? returned : undefined
  const failed = failures.find((f) => f.action === 'failed' && PERMANENT.test(f.status))
  const recipient = failed?.recipient || sent?.to_email.toLowerCase() || null
  const invitation = sent?.session_id && failed && recipient ? await findSessionInvitationByEmail(ctx.db, sent.session_id, recipient) : undefined
  const row: NewCalendarReply = {
    ...base, kind: 'bounce', outcome: 'unmatched', reason: 'bounce_unmatched', platform_id: sent?.platform_id ?? base.platform_id,
    session_id: sent?.session_id ?? null, invitation_id: invitation?.id ?? null, attendee_email: recipient,
  }
  if (!invitation || !failed) {
    await save(ctx.db, row)
    return { outcome: 'unmatched', file: false }
  }
  const failure = [failed.status, failed.diagnostic].filter(Boolean).join(' — ')
  await ctx.db.transaction().execute(async (trx) => {
    await markAddressFailing(trx, invitation.id, failure, now)
    await save(trx, { ...row, outcome: 'failing', reason: null })
  })
  return { outcome: 'failing', file: true }
}
