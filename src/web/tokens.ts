import { createHash, createHmac, randomBytes } from 'node:crypto'

// Personal links (/pitch/{token}, /rsvp/{token}, /feeds/{token}.ics). A token is an HMAC of the row it
// opens under the instance secret: 256 bits nobody can guess without the secret, and the app can write the
// same link again in every later email without storing it. Only its SHA-256 is stored, for lookup, so a
// copy of the database alone opens nothing. Bumping the row's version replaces the link; rotating
// SESSION_SECRET replaces every link.

// 'pitch-confirm': the link emailed to confirm a booking made on the public form (pitches/booking.ts), a
// second way into the same /pitch/ page that the form's own answer never shows.
// 'facilitator-reset', 'facilitator-invitation': one-time links of facilitator accounts (platforms/accounts.ts),
// the id being the facilitator_token row's.
// 'referral': a partner's link to the referrals made to their organisation (referrals/), the id a referral's.
export type TokenPurpose = 'pitch' | 'pitch-confirm' | 'rsvp' | 'feed-contact' | 'feed-holder' | 'facilitator-reset' | 'facilitator-invitation' | 'referral'

export function personalToken(secret: string, purpose: TokenPurpose, id: number, version = 0): string {
  return createHmac('sha256', secret).update(`${purpose}:${id}:${version}`).digest('base64url')
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** Shape check before any lookup: anything else is answered 404 without touching the database. */
export function looksLikeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token)
}

/** A random token (login cookies): 256 bits from the CSPRNG. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url')
}
