import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { type LinkTarget, linkUrl } from '../mail/links.js'
import { hashToken, personalToken } from '../web/tokens.js'

// Someone a session email goes to, whoever owns them. sessions/ knows no contact and no holder: partners/
// and pitches/ build their people with personalRecipient (partners/recipients.ts, pitches/recipients.ts),
// each with its own link and its own feed-hash write, and app.ts hands sessions/ an `attendees` provider
// that asks both (src/attendees.ts).

export interface Recipient {
  /** 'contact:12' or 'holder:7': with the session id, the thread a newer message supersedes. */
  key: string
  name: string
  email: string
  /** The person's own link (RSVP or pitch page), if the message is about one. */
  personalLink: LinkTarget | null
  feedLink: LinkTarget
  /** The feed's working URL, for the page that shows it (the RSVP page); emails carry references (queueSessionMail). */
  feedUrl: string | null
  /** A partner contact's answer to the invitation (partners/recipients.ts), when the message may depend on it. */
  answer?: string | null
  /** A holder's initiative, for the session's own mails (an update tells a holder what it means for their pitch). */
  initiativeTitle?: string | null
  /**
   * Someone without an address (booked by phone): the message goes to the platform's mailbox (`email`) with
   * this first line, whom to pass it on to, and without a calendar part (the event is theirs, not the team's).
   */
  forwardNote?: string | null
  /**
   * The first email that carries the personal feed link makes the link work: its owner stores the token's
   * hash (once; a stored hash is kept), so /feeds/{token}.ics finds this person.
   */
  rememberFeed: (db: Db) => Promise<void>
}

/** Who among those who hold a session in their calendar. No filter: everyone who received its invitation. */
export interface AttendeeFilter {
  /** Only those who said they come: a contact's on-site or remote answer (a confirmed pitch's holder comes). */
  coming?: boolean
  /** Only those whose answer or confirmation is no later than this instant (ISO-8601 UTC). */
  settledBy?: string
}

/** Everyone concerned by a session, in the caller's transaction: invited contacts, then holders of confirmed pitches. */
export type Attendees = (db: Db, sessionId: number, filter?: AttendeeFilter) => Promise<Recipient[]>

/** What app.ts assembles from the floors above sessions/ and hands down with the context. */
export interface SessionProviders {
  attendees: Attendees
}

export interface PersonalRecipient {
  /** 'contact' or 'holder': the first half of the thread key. */
  kind: string
  id: number
  name: string
  email: string
  personalLink: LinkTarget | null
  feedLink: LinkTarget
  /** Stores the feed token's hash if none is stored yet (the owner's own table). */
  storeFeedHash: (db: Db, hash: string) => Promise<void>
}

/** A recipient with its feed's working URL and the hash of its feed token, from its owner's description. */
export function personalRecipient(ctx: Pick<AppContext, 'config'>, who: PersonalRecipient): Recipient {
  const { sessionSecret: secret, publicUrl } = ctx.config
  const { feedLink, personalLink } = who
  const hash = hashToken(personalToken(secret, feedLink.purpose, feedLink.id, feedLink.version))
  return {
    key: `${who.kind}:${who.id}`,
    name: who.name,
    email: who.email,
    personalLink,
    feedLink,
    feedUrl: linkUrl(secret, publicUrl, feedLink),
    rememberFeed: (db) => who.storeFeedHash(db, hash),
  }
}
