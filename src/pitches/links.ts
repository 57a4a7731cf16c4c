import type { FastifyReply, FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { archivedName } from '../platforms/access.js'
import { findPlatform } from '../platforms/store.js'
import { findSessionById, type SessionRow } from '../sessions/store.js'
import { errorPage } from '../web/errors.js'
import { type GoneReason, type LinkKind, retireLink } from '../web/personal-links.js'
import { hashToken, personalToken } from '../web/tokens.js'
import { findPitchByTokenHash, type PitchDetails } from './store.js'

// The holder's links: /pitch/{token} (and its confirmation twin, booking.ts confirmToken) and their calendar
// feed. Both answer 410 once replaced; a pitch link also ends a year after its session.

/**
 * How long a pitch link opens its page after the session. The page is where the holder finds, after the
 * session, the advice and referrals given on their pitch, and follows up the referrals over the next
 * months; a year covers that follow-up (and the funders' yearly report that asks about it), while a link
 * left in an old mailbox, or forwarded, stops showing a person's details and initiatives for ever.
 */
export const PITCH_LINK_MONTHS_AFTER_SESSION = 12

/** When a pitch link stops opening (410 "expiré"). */
export function pitchLinkEnd(sessionEndsAt: string): string {
  return DateTime.fromISO(sessionEndsAt, { zone: 'utc' }).plus({ months: PITCH_LINK_MONTHS_AFTER_SESSION }).toISO()!
}

export interface OpenedPitch {
  pitch: PitchDetails
  session: SessionRow
  /** Opened from the confirmation link of the email (which proves the address), not from the form's answer. */
  fromEmail: boolean
}

function contactLine(platform: Platform): string {
  const who = platform.contact_name ?? "l'équipe d'animation"
  return `${who} (${platform.contact_email}${platform.contact_phone ? `, ${platform.contact_phone}` : ''})`
}

/** The /pitch/{token} kind of personal link, for linkOpener (web/personal-links.ts). */
export function pitchLinks(ctx: AppContext): LinkKind<OpenedPitch> {
  return {
    purpose: 'pitch',
    find: async (db: Db, hash: string) => {
      const pitch = await findPitchByTokenHash(db, hash)
      const session = pitch ? await findSessionById(db, pitch.session_id) : undefined
      if (!pitch || !session) return undefined
      return {
        row: { pitch, session, fromEmail: pitch.confirm_token_hash === hash }, platformId: session.platform_id, endsAt: pitchLinkEnd(session.ends_at),
        archivedPlatform: archivedName(await findPlatform(db, session.platform_id)),
      }
    },
    gone: async (request: FastifyRequest, reply: FastifyReply, reason: GoneReason, platformId: number) => {
      const platform = await findPlatform(ctx.db, platformId)
      if (reason === 'expired') {
        return errorPage(request, reply, 410, 'Ce lien a expiré',
          `Ce lien personnel n'est plus valable : la séance de votre présentation a eu lieu il y a plus de ${PITCH_LINK_MONTHS_AFTER_SESSION} mois. Pour retrouver ce qui vous a été conseillé, ou pour présenter à nouveau votre initiative, écrivez à ${contactLine(platform)}.`)
      }
      return errorPage(request, reply, 410, 'Ce lien a été remplacé',
        `Votre inscription a changé depuis (elle a été retirée puis refaite, par exemple) et un nouveau lien personnel vous a été envoyé par e-mail : utilisez le message le plus récent. Si vous ne le retrouvez pas, écrivez à ${contactLine(platform)}, qui vous le renverra.`)
    },
  }
}

/** The holder's calendar feed token, at its current version. */
export function holderFeedToken(ctx: AppContext, holder: { id: number; feed_version: number }): string {
  return personalToken(ctx.config.sessionSecret, 'feed-holder', holder.id, holder.feed_version)
}

/**
 * A new calendar feed link for the holder (the holder asked from their page, or a facilitator did): the
 * version goes up, the new link works at once, and the old one answers 410 from now on.
 */
export async function replaceHolderFeed(ctx: AppContext, holderId: number): Promise<void> {
  const now = ctx.clock().toISOString()
  await ctx.db.transaction().execute(async (trx) => {
    const holder = await trx.selectFrom('holder').select(['id', 'platform_id', 'feed_version', 'feed_token_hash']).where('id', '=', holderId).executeTakeFirstOrThrow()
    const next = { id: holder.id, feed_version: holder.feed_version + 1 }
    const old = holder.feed_token_hash ?? hashToken(holderFeedToken(ctx, holder))
    await retireLink(trx, { hash: old, purpose: 'feed', platformId: holder.platform_id, reason: 'replaced' }, now)
    await trx.updateTable('holder').set({ feed_version: next.feed_version, feed_token_hash: hashToken(holderFeedToken(ctx, next)), updated_at: now })
      .where('id', '=', holder.id).execute()
  })
}
