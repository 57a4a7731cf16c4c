import type { AppContext } from '../context.js'
import { itipCalendar } from '../calendar/itip.js'
import type { Db, Platform } from '../db/schema.js'
import type { MailKind } from '../mail/kinds.js'
import { renderMail } from '../mail/compose.js'
import { enqueueMail, messageDomain } from '../mail/outbox.js'
import { hashToken, personalToken } from '../web/tokens.js'
import { organizerOf, sessionEvent } from './calendar-event.js'
import { presentSession } from './present.js'
import type { SessionRow } from './store.js'

// Who holds a session in their calendar, and the one way a session email (with its iTIP part) is queued.

export interface Recipient {
  /** 'contact:12' or 'holder:7': with the session id, the thread a newer message supersedes. */
  key: string
  name: string
  email: string
  personalUrl: string | null
  feedUrl: string | null
  /** Where the personal feed's token hash lives, so /feeds/{token}.ics can find this person. */
  feedOwner: { table: 'contact' | 'holder'; id: number; hash: string }
}

export function contactRecipient(ctx: AppContext, c: { id: number; name: string; email: string }, invitation: { id: number; token_version: number } | null): Recipient {
  const base = ctx.config.publicUrl
  const feed = personalToken(ctx.config.sessionSecret, 'feed-contact', c.id)
  return {
    feedOwner: { table: 'contact', id: c.id, hash: hashToken(feed) },
    key: `contact:${c.id}`,
    name: c.name,
    email: c.email,
    personalUrl: invitation ? `${base}/rsvp/${personalToken(ctx.config.sessionSecret, 'rsvp', invitation.id, invitation.token_version)}` : null,
    feedUrl: `${base}/feeds/${feed}.ics`,
  }
}

export function holderRecipient(ctx: AppContext, h: { id: number; name: string; email: string }, pitch: { id: number; token_version: number } | null): Recipient {
  const base = ctx.config.publicUrl
  const feed = personalToken(ctx.config.sessionSecret, 'feed-holder', h.id)
  return {
    feedOwner: { table: 'holder', id: h.id, hash: hashToken(feed) },
    key: `holder:${h.id}`,
    name: h.name,
    email: h.email,
    personalUrl: pitch ? `${base}/pitch/${personalToken(ctx.config.sessionSecret, 'pitch', pitch.id, pitch.token_version)}` : null,
    feedUrl: `${base}/feeds/${feed}.ics`,
  }
}

/** Everyone who received the session's invitation: invited contacts and holders of confirmed pitches. */
export async function sessionAttendees(ctx: AppContext, db: Db, sessionId: number): Promise<Recipient[]> {
  const contacts = await db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select(['contact.id', 'contact.name', 'contact.email', 'contact.feed_version', 'invitation.id as invitation_id', 'invitation.token_version'])
    .where('invitation.session_id', '=', sessionId).orderBy('invitation.id').execute()
  const holders = await db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .select(['holder.id', 'holder.name', 'holder.email', 'pitch.id as pitch_id', 'pitch.token_version'])
    .where('pitch.session_id', '=', sessionId).where('pitch.status', '=', 'confirmed').where('holder.email', 'is not', null)
    .orderBy('pitch.id').execute()
  return [
    ...contacts.map((c) => contactRecipient(ctx, c, { id: c.invitation_id, token_version: c.token_version })),
    ...holders.map((h) => holderRecipient(ctx, { id: h.id, name: h.name, email: h.email! }, { id: h.pitch_id, token_version: h.token_version })),
  ]
}

export interface SessionMailExtra {
  message?: string | null
  initiativeTitle?: string | null
  slotTime?: string | null
  changes?: string[]
  /** null: no calendar part (e.g. "booking received"). */
  itip: 'REQUEST' | 'CANCEL' | null
  /** Makes queueing idempotent (reminders). */
  dedupeKey?: string
}

const slotThread = (sessionId: number, to: Pick<Recipient, 'key'>) => `session:${sessionId}:${to.key}:slot`

/** Is a slot-time email to this person still waiting to leave (the next one will replace it)? */
export async function slotMailQueued(db: Db, sessionId: number, to: Pick<Recipient, 'key'>): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('thread_key', '=', slotThread(sessionId, to)).where('status', '=', 'queued').executeTakeFirst()
  return row !== undefined
}

/** Queues one session email for one person, in the caller's transaction. */
export async function queueSessionMail(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, kind: MailKind, to: Recipient, extra: SessionMailExtra) {
  const now = ctx.clock()
  await rememberFeedToken(db, to)
  const view = presentSession(platform, session, ctx.config.publicUrl, now)
  const mail = renderMail(ctx.views, kind, {
    platformName: platform.name,
    recipientName: to.name,
    session: view,
    personalUrl: to.personalUrl,
    feedUrl: to.feedUrl,
    message: extra.message ?? null,
    initiativeTitle: extra.initiativeTitle ?? null,
    slotTime: extra.slotTime ?? null,
    changes: extra.changes ?? [],
    contactEmail: platform.contact_email,
  })
  const ical = extra.itip
    ? {
        method: extra.itip,
        content: itipCalendar({
          method: extra.itip,
          event: sessionEvent(platform, view, now.toISOString()),
          organizer: organizerOf(platform),
          attendee: { name: to.name, email: to.email },
        }),
      }
    : null
  return enqueueMail(db, {
    kind,
    platformId: platform.id,
    sessionId: session.id,
    // What a newer message makes stale while still queued: a calendar message (REQUEST/CANCEL) the older
    // calendar message for the same person and session; a new slot time the older slot time (a facilitator
    // moving a pitch down three places sends one email, not three, if the first are still waiting).
    threadKey: ical ? `session:${session.id}:${to.key}` : kind === 'pitch.slot' ? slotThread(session.id, to) : null,
    dedupeKey: extra.dedupeKey ?? null,
    to: { name: to.name, email: to.email },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    ical,
  }, now.toISOString(), messageDomain(ctx.config.publicUrl))
}

/** The first email that carries a personal feed link makes the link work. */
async function rememberFeedToken(db: Db, to: Recipient) {
  const { table, id, hash } = to.feedOwner
  if (table === 'contact') await db.updateTable('contact').set({ feed_token_hash: hash }).where('id', '=', id).where('feed_token_hash', 'is', null).execute()
  else await db.updateTable('holder').set({ feed_token_hash: hash }).where('id', '=', id).where('feed_token_hash', 'is', null).execute()
}

export type SessionChange = { kind: 'cancelled' } | { kind: 'updated'; lines: string[] }

/** One facilitator action, everyone updated: REQUEST with the new SEQUENCE, or CANCEL. */
export async function notifySessionChange(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, change: SessionChange) {
  for (const to of await sessionAttendees(ctx, db, session.id)) {
    if (change.kind === 'cancelled') await queueSessionMail(ctx, db, platform, session, 'session.cancelled', to, { itip: 'CANCEL' })
    else await queueSessionMail(ctx, db, platform, session, 'session.updated', to, { itip: 'REQUEST', changes: change.lines })
  }
}
