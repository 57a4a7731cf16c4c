import type { AppContext } from '../context.js'
import { itipCalendar } from '../calendar/itip.js'
import type { Db, OutboxRow, Platform } from '../db/schema.js'
import type { MailKind } from '../mail/kinds.js'
import { renderMail } from '../mail/compose.js'
import { type LinkTarget, linkRef, linkUrl } from '../mail/links.js'
import { enqueueMail, messageDomain } from '../mail/outbox.js'
import type { CalendarState } from '../mail/resend.js'
import { hashToken, personalToken } from '../web/tokens.js'
import { organizerOf, sessionEvent } from './calendar-event.js'
import { presentSession } from './view.js'
import { findSessionById, type SessionRow } from './store.js'

// Who holds a session in their calendar, and the one way a session email (with its iTIP part) is queued.

export interface Recipient {
  /** 'contact:12' or 'holder:7': with the session id, the thread a newer message supersedes. */
  key: string
  name: string
  email: string
  /** The person's own link (RSVP or pitch page), if the message is about one. */
  personalLink: LinkTarget | null
  feedLink: LinkTarget
  /** The working URLs of those two, for pages that show them; emails carry references (queueSessionMail). */
  personalUrl: string | null
  feedUrl: string | null
  /** Where the personal feed's token hash lives, so /feeds/{token}.ics can find this person. */
  feedOwner: { table: 'contact' | 'holder'; id: number; hash: string }
}

type Person = { id: number; name: string; email: string; feed_version?: number }

function recipient(ctx: AppContext, who: Person & { table: 'contact' | 'holder' }, personalLink: LinkTarget | null): Recipient {
  const { sessionSecret: secret, publicUrl } = ctx.config
  const feedLink: LinkTarget = { purpose: who.table === 'contact' ? 'feed-contact' : 'feed-holder', id: who.id, version: who.feed_version ?? 0 }
  return {
    feedOwner: { table: who.table, id: who.id, hash: hashToken(personalToken(secret, feedLink.purpose, feedLink.id, feedLink.version)) },
    key: `${who.table}:${who.id}`,
    name: who.name,
    email: who.email,
    personalLink,
    feedLink,
    personalUrl: personalLink ? linkUrl(secret, publicUrl, personalLink) : null,
    feedUrl: linkUrl(secret, publicUrl, feedLink),
  }
}

/** `feed_version`: the version of the person's feed link, when it can be replaced (0 otherwise). */
export function contactRecipient(ctx: AppContext, c: Person, invitation: { id: number; token_version: number } | null): Recipient {
  return recipient(ctx, { id: c.id, name: c.name, email: c.email, feed_version: c.feed_version, table: 'contact' }, invitation ? { purpose: 'rsvp', id: invitation.id, version: invitation.token_version } : null)
}

export function holderRecipient(ctx: AppContext, h: Person, pitch: { id: number; token_version: number } | null): Recipient {
  return recipient(ctx, { id: h.id, name: h.name, email: h.email, feed_version: h.feed_version, table: 'holder' }, pitch ? { purpose: 'pitch', id: pitch.id, version: pitch.token_version } : null)
}

/** Everyone who received the session's invitation: invited contacts and holders of confirmed pitches. */
export async function sessionAttendees(ctx: AppContext, db: Db, sessionId: number): Promise<Recipient[]> {
  const contacts = await db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select(['contact.id', 'contact.name', 'contact.email', 'contact.feed_version', 'invitation.id as invitation_id', 'invitation.token_version'])
    .where('invitation.session_id', '=', sessionId).orderBy('invitation.id').execute()
  const holders = await db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id')
    .select(['holder.id', 'holder.name', 'holder.email', 'holder.feed_version', 'pitch.id as pitch_id', 'pitch.token_version'])
    .where('pitch.session_id', '=', sessionId).where('pitch.status', '=', 'confirmed').where('holder.email', 'is not', null)
    .orderBy('pitch.id').execute()
  return [
    ...contacts.map((c) => contactRecipient(ctx, c, { id: c.invitation_id, token_version: c.token_version })),
    ...holders.map((h) => holderRecipient(ctx, { id: h.id, name: h.name, email: h.email!, feed_version: h.feed_version }, { id: h.pitch_id, token_version: h.token_version })),
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
  // The outbox keeps references, not links: the worker writes the links in as the message leaves.
  const ref = (target: LinkTarget) => linkRef(ctx.config.sessionSecret, target, to.email)
  const mail = renderMail(ctx.views, kind, {
    platformName: platform.name,
    recipientName: to.name,
    session: view,
    personalUrl: to.personalLink ? ref(to.personalLink) : null,
    feedUrl: ref(to.feedLink),
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

/** The event lines that say something: without DTSTAMP (when the message was made) and SEQUENCE (how many changes). */
function eventContent(ical: string): string {
  return ical.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => !/^(DTSTAMP|SEQUENCE)[:;]/.test(l)).join('\r\n')
}

/**
 * For "Renvoyer" (mail/resend.ts): does a calendar message queued earlier still carry the session's event
 * as it is now? Rebuilt for the same person and compared, rather than comparing SEQUENCE: a holder's
 * withdrawal raises the session's SEQUENCE (their CANCEL needs it) without changing anyone else's event.
 */
export async function calendarState(ctx: AppContext, db: Db, row: OutboxRow): Promise<CalendarState> {
  if (row.session_id === null || !row.ical_method || !row.ical) return 'current'
  const session = await findSessionById(db, row.session_id)
  if (!session) return 'gone'
  if (session.status === 'cancelled' && row.ical_method === 'REQUEST') return 'cancelled'
  const platform = await db.selectFrom('platform').selectAll().where('id', '=', session.platform_id).executeTakeFirstOrThrow()
  const now = ctx.clock()
  const event = sessionEvent(platform, presentSession(platform, session, ctx.config.publicUrl, now), now.toISOString())
  const today = itipCalendar({ method: row.ical_method, event, organizer: organizerOf(platform), attendee: { name: row.to_name, email: row.to_email } })
  return eventContent(today) === eventContent(row.ical) ? 'current' : 'changed'
}
