import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { renderMail, type RenderedMail } from '../mail/compose.js'
import { linkRef } from '../mail/links.js'
import { enqueueMail, messageDomain } from '../mail/outbox.js'
import { contactRecipient } from '../partners/recipients.js'
import { holderOrMailbox } from '../pitches/recipients.js'
import { lockSession, type SessionRow } from '../sessions/store.js'
import { presentSession, type SessionView } from '../sessions/view.js'
import { holderView, type MinutesDocument, type MinutesView, partnersView, serialise } from './document.js'
import { gatherMinutes } from './gather.js'
import { holdersForMinutes, invitedForMinutes } from './reads.js'
import { insertVersion, latestVersionNumber } from './store.js'

// Sending the minutes: one transaction stores the version as sent and queues every message (session.minutes to
// each invited or present contact, pitch.minutes to each holder), or nothing at all. The form carries the version it
// sends: a second submit of the same form finds that version sent and sends nothing.

type Mailer = Pick<AppContext, 'config' | 'views' | 'clock'>

export interface Recipients {
  partners: Array<{ name: string; email: string; link: ReturnType<typeof contactRecipient>['personalLink'] }>
  /** `forwardNote`: set for a holder without an address, whose message goes to the platform's mailbox (`email`). */
  holders: Array<{ pitchId: number; name: string; email: string; forwardNote: string | null; link: ReturnType<typeof holderOrMailbox>['personalLink'] }>
}

/**
 * Who receives the minutes of this document: every invited (or present) contact, and the holder of each pitch
 * in it — one booked by phone without an address through the platform's mailbox, as their other messages.
 */
export async function minutesRecipients(m: Pick<AppContext, 'config'>, db: Db, platform: Pick<Platform, 'contact_email'>, sessionId: number, doc: MinutesDocument): Promise<Recipients> {
  const [contacts, holders] = await Promise.all([invitedForMinutes(db, sessionId), holdersForMinutes(db, doc.pitches.map((p) => p.pitchId))])
  return {
    partners: contacts.map((c) => ({ name: c.name, email: c.email, link: contactRecipient(m, c, c.invitationId === null ? null : { id: c.invitationId, token_version: c.tokenVersion! }).personalLink })),
    holders: holders.map((h) => {
      const to = holderOrMailbox(m, h, { id: h.pitchId, token_version: h.tokenVersion }, platform.contact_email)
      return { pitchId: h.pitchId, name: h.name, email: to.email, forwardNote: to.forwardNote ?? null, link: to.personalLink }
    }),
  }
}

/** One reader's message, rendered as it will be queued (the preview shows exactly this). */
export function minutesMail(m: Mailer, platform: Platform, session: SessionView, view: MinutesView, version: number,
  to: { name: string; email: string; link: Recipients['partners'][number]['link']; forwardNote?: string | null }): RenderedMail {
  const kind = view.audience === 'partners' ? 'session.minutes' : 'pitch.minutes'
  return renderMail(m.views, kind, {
    platformName: platform.name, recipientName: to.name, session,
    personalUrl: to.link ? linkRef(m.config.sessionSecret, to.link, to.email) : null, contactEmail: platform.contact_email,
    minutes: { ...view, version, corrected: version > 1 }, forwardNote: to.forwardNote ?? null,
  })
}

export type SendOutcome = { kind: 'sent'; version: number; partners: number; holders: number } | { kind: 'already'; version: number } | { kind: 'empty' }

/** Sends version `version` (the latest sent + 1, as the form says); 'already' when that version is sent. */
export async function sendMinutes(ctx: AppContext, platform: Platform, session: SessionRow, version: number, by: number | null): Promise<SendOutcome> {
  const now = ctx.clock()
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, session.id)
    const latest = await latestVersionNumber(trx, session.id)
    if (version !== latest + 1) return { kind: 'already' as const, version: latest }
    const sessionView = presentSession(platform, session, ctx.config.publicUrl, now)
    const { doc } = await gatherMinutes(trx, platform, session, sessionView)
    if (doc.pitches.length === 0) return { kind: 'empty' as const }
    const to = await minutesRecipients(ctx, trx, platform, session.id, doc)
    await insertVersion(trx, { sessionId: session.id, version, document: serialise(doc), partners: to.partners.length, holders: to.holders.length, by }, now.toISOString())
    const queue = (kind: 'session.minutes' | 'pitch.minutes', who: string, mail: RenderedMail, person: { name: string; email: string }) =>
      enqueueMail(trx, {
        kind, platformId: platform.id, sessionId: session.id, threadKey: null, dedupeKey: `${kind}:${session.id}:v${version}:${who}`,
        to: { name: person.name, email: person.email }, subject: mail.subject, text: mail.text, html: mail.html,
      }, now.toISOString(), messageDomain(ctx.config.publicUrl))
    const whole = partnersView(doc)
    for (const p of to.partners) await queue('session.minutes', `contact:${p.email.toLowerCase()}`, minutesMail(ctx, platform, sessionView, whole, version, p), p)
    for (const h of to.holders) await queue('pitch.minutes', `pitch:${h.pitchId}`, minutesMail(ctx, platform, sessionView, holderView(doc, h.pitchId)!, version, h), h)
    return { kind: 'sent' as const, version, partners: to.partners.length, holders: to.holders.length }
  })
}
