import { DateTime } from 'luxon'
import type { PitchStatus } from '../db/schema.js'

// Bookings from the public form wait for their holder to confirm their address (issue #25): anyone can type
// anyone's address, so the booking holds its slot only for a while (the platform's booking_hold_hours,
// never past the session's start) until the link emailed to that address is used. A made-up address, or a
// stranger's, never holds a slot longer; the worker's beat then releases it, telling no one at that address.

/** Emails with a booking's link that the public form may send one holder in an hour (no mail-bombing). */
export const LINK_MAILS_PER_HOUR = 3

interface Hold { status: PitchStatus; address_confirmed_at: string | null; hold_until: string | null }

/** When an unconfirmed booking made now stops holding its slot. */
export function holdEnd(now: Date, hours: number, sessionStartsAt: string): string {
  const end = DateTime.fromJSDate(now, { zone: 'utc' }).plus({ hours }).toISO()!
  return end < sessionStartsAt ? end : sessionStartsAt
}

/**
 * Is the address behind this booking confirmed? Only a booking from the public form waits, and it always
 * has a hold's end until then; every other booking (a facilitator's, a holder's own link, the demo, rows
 * written by hand or by a script) counts as confirmed.
 */
export function addressConfirmed(p: Pick<Hold, 'address_confirmed_at' | 'hold_until'>): boolean {
  return p.address_confirmed_at !== null || p.hold_until === null
}

/** An unconfirmed booking still alive whose hold has ended: the worker releases it. */
export function holdLapsed(p: Hold, now: string): boolean {
  return p.address_confirmed_at === null && p.hold_until !== null && p.hold_until <= now && (p.status === 'pending' || p.status === 'waiting')
}

/** A waiting booking that may still take a freed slot (an unconfirmed one only until its hold ends). */
export function mayBePromoted(p: Pick<Hold, 'address_confirmed_at' | 'hold_until'>, now: string): boolean {
  return p.address_confirmed_at !== null || p.hold_until === null || p.hold_until > now
}

/** A withdrawn booking that the worker released because nobody confirmed it in time (the page says so). */
export function releasedUnconfirmed(p: Hold & { updated_at: string }): boolean {
  return p.status === 'withdrawn' && p.address_confirmed_at === null && p.hold_until !== null && p.hold_until <= p.updated_at
}

/** May the form email this holder their link once more, given how many such emails left in the last hour? */
export function mayMailLink(sentInLastHour: number): boolean {
  return sentInLastHour < LINK_MAILS_PER_HOUR
}
