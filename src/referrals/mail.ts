import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { renderMail } from '../mail/compose.js'
import type { MailKind } from '../mail/kinds.js'
import { linkRef } from '../mail/links.js'
import { enqueueMail, messageDomain } from '../mail/outbox.js'
import { contactsToWrite, findPartner } from '../partners/store.js'
import { holderRecipient } from '../pitches/recipients.js'
import { findPitch } from '../pitches/store.js'
import { findPlatform } from '../platforms/store.js'
import type { Recipient } from '../sessions/recipient.js'
import { findSessionById } from '../sessions/store.js'
import { presentSession } from '../sessions/view.js'
import { STATUS_LABELS } from './status.js'

// The three referral mails, queued in the caller's transaction: to the partner when a referral is made and
// once when its follow-up is overdue (their /referrals/ link), to the holder when it moves (their /pitch/ link).

/** What rendering a mail needs: the templates and the public address (for the session's page). */
export type ReferralMailer = Pick<AppContext, 'config' | 'views'>

async function facts(db: Db, referralId: number) {
  const r = await db.selectFrom('referral').selectAll().where('id', '=', referralId).executeTakeFirstOrThrow()
  const found = (await findPitch(db, r.pitch_id))!
  const pitch = { ...found, name: found.holder_name, email: found.holder_email, phone: found.holder_phone }
  const session = (await findSessionById(db, pitch.session_id))!
  const platform = await findPlatform(db, session.platform_id)
  const partner = (await findPartner(db, platform.id, r.partner_id))!
  return { r, pitch, partner, platform, session }
}

type Facts = Awaited<ReturnType<typeof facts>>

/** Renders one referral mail for one person and queues it; the id, or null when its dedupe key was queued already. */
function queue(m: ReferralMailer, db: Db, f: Facts, kind: MailKind, to: Pick<Recipient, 'name' | 'email' | 'personalLink'>,
  dedupeKey: string, forPartner: boolean, note: string | null, now: Date) {
  const mail = renderMail(m.views, kind, {
    platformName: f.platform.name,
    recipientName: to.name,
    session: presentSession(f.platform, f.session, m.config.publicUrl, now),
    personalUrl: to.personalLink ? linkRef(m.config.sessionSecret, to.personalLink, to.email) : null,
    initiativeTitle: f.pitch.title,
    contactEmail: f.platform.contact_email,
    referral: {
      organisation: f.partner.name,
      subject: f.r.subject,
      statusLabel: forPartner && f.r.status === 'proposed' ? null : STATUS_LABELS[f.r.status],
      note,
      followUpOn: f.r.follow_up_on,
      holder: forPartner && f.r.share_contact ? { name: f.pitch.name, email: f.pitch.email, phone: f.pitch.phone } : null,
    },
  })
  return enqueueMail(db, {
    kind, platformId: f.platform.id, sessionId: f.session.id, threadKey: null, dedupeKey,
    to: { name: to.name, email: to.email }, subject: mail.subject, text: mail.text, html: mail.html,
  }, now.toISOString(), messageDomain(m.config.publicUrl))
}

/** 'referral.made' or 'referral.reminder' to the partner's people; returns how many were queued. */
export async function queuePartnerMail(m: ReferralMailer, db: Db, referralId: number, kind: 'referral.made' | 'referral.reminder', now: Date): Promise<number> {
  const f = await facts(db, referralId)
  const personalLink = { purpose: 'referral', id: f.r.id, version: f.r.token_version } as const
  let queued = 0
  for (const to of await contactsToWrite(db, f.r.partner_id, f.r.contact_id)) {
    const id = await queue(m, db, f, kind, { ...to, personalLink }, `${kind}:${f.r.id}:v${f.r.token_version}:contact:${to.id}`, true, null, now)
    if (id !== null) queued++
  }
  return queued
}

/** 'referral.updated' to the holder (their /pitch/ link), with the note given; none without an address. */
export async function queueHolderUpdate(m: ReferralMailer, db: Db, referralId: number, eventId: number, note: string | null, now: Date) {
  const f = await facts(db, referralId)
  if (!f.pitch.email) return null
  const to = holderRecipient(m, { id: f.pitch.holder_id, name: f.pitch.name, email: f.pitch.email }, f.pitch)
  return queue(m, db, f, 'referral.updated', to, `referral.updated:${f.r.id}:event:${eventId}`, false, note, now)
}
