import type { AppContext } from '../context.js'
import { itipCalendar } from '../calendar/itip.js'
import type { Db, Platform } from '../db/schema.js'
import type { MailKind } from '../mail/kinds.js'
import { renderMail } from '../mail/compose.js'
import { type LinkTarget, linkRef } from '../mail/links.js'
import { enqueueMail, messageDomain, threadQueued } from '../mail/outbox.js'
import type { CalendarState } from '../mail/resend.js'
import { findPlatform } from '../platforms/store.js'
import { organizerOf, sessionEvent } from './calendar-event.js'
import type { Attendees, Recipient } from './recipient.js'
import { presentSession } from './view.js'
import { pitchMinutes } from './view.js'
import { findSessionById, listAgenda, type SessionRow } from './store.js'

// The one way a session email (with its iTIP part) is queued, to a Recipient its owner built
// (partners/recipients.ts, pitches/recipients.ts); and a session's change sent to everyone who holds it.

export type { Recipient } from './recipient.js'

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
export function slotMailQueued(db: Db, sessionId: number, to: Pick<Recipient, 'key'>): Promise<boolean> {
  return threadQueued(db, slotThread(sessionId, to))
}

/** The mails that tell a holder their pitch holds a slot: they say how long it lasts (the agenda's pitch rows). */
const GIVES_LENGTH: readonly MailKind[] = ['pitch.confirmed', 'pitch.promoted']

/**
 * Queues one session email for one person, in the caller's transaction. To someone without an address
 * (`to.forwardNote`), the message goes to the platform's mailbox with that first line and no calendar part.
 */
export async function queueSessionMail(ctx: AppContext, db: Db, platform: Platform, session: SessionRow, kind: MailKind, to: Recipient, extra: SessionMailExtra) {
  const now = ctx.clock()
  await to.rememberFeed(db)
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
    initiativeTitle: extra.initiativeTitle ?? to.initiativeTitle ?? null,
    slotTime: extra.slotTime ?? null,
    pitchMinutes: GIVES_LENGTH.includes(kind) ? pitchMinutes(await listAgenda(db, session.id)) : null,
    forwardNote: to.forwardNote ?? null,
    changes: extra.changes ?? [],
    contactEmail: platform.contact_email,
    answer: to.answer ?? null,
  })
  const ical = extra.itip && !to.forwardNote
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

export type SessionChange = { kind: 'cancelled' } | { kind: 'updated'; lines: string[] }

/** One facilitator action, everyone updated: REQUEST with the new SEQUENCE, or CANCEL. */
export async function notifySessionChange(ctx: AppContext, db: Db, attendees: Attendees, platform: Platform, session: SessionRow, change: SessionChange) {
  for (const to of await attendees(db, session.id)) {
    if (change.kind === 'cancelled') await queueSessionMail(ctx, db, platform, session, 'session.cancelled', to, { itip: 'CANCEL' })
    else await queueSessionMail(ctx, db, platform, session, 'session.updated', to, { itip: 'REQUEST', changes: change.lines })
  }
}

/** The event lines that say something: without DTSTAMP (when the message was made) and SEQUENCE (how many changes). */
function eventContent(ical: string): string {
  return ical.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => !/^(DTSTAMP|SEQUENCE)[:;]/.test(l)).join('\r\n')
}

/** What calendarState reads of a queued message (a row of mail/'s outbox). */
export interface QueuedCalendarMail {
  session_id: number | null
  ical_method: 'REQUEST' | 'CANCEL' | null
  ical: string | null
  to_name: string
  to_email: string
}

/**
 * For "Renvoyer" (mail/resend.ts): does a calendar message queued earlier still carry the session's event
 * as it is now? Rebuilt for the same person and compared, rather than comparing SEQUENCE: a holder's
 * withdrawal raises the session's SEQUENCE (their CANCEL needs it) without changing anyone else's event.
 */
export async function calendarState(ctx: AppContext, db: Db, row: QueuedCalendarMail): Promise<CalendarState> {
  if (row.session_id === null || !row.ical_method || !row.ical) return 'current'
  const session = await findSessionById(db, row.session_id)
  if (!session) return 'gone'
  if (session.status === 'cancelled' && row.ical_method === 'REQUEST') return 'cancelled'
  const platform = await findPlatform(db, session.platform_id)
  const now = ctx.clock()
  const event = sessionEvent(platform, presentSession(platform, session, ctx.config.publicUrl, now), now.toISOString())
  const today = itipCalendar({ method: row.ical_method, event, organizer: organizerOf(platform), attendee: { name: row.to_name, email: row.to_email } })
  return eventContent(today) === eventContent(row.ical) ? 'current' : 'changed'
}
