import type { BookingMode, PitchStatus } from '../db/schema.js'

// Who holds a pitch slot. A booking holds its slot from the moment it is made (pending or confirmed), in
// arrival order; when every slot is held, new bookings wait; a freed slot goes to the first one waiting.
// A booking whose holder has not yet confirmed their address (the public form's, holds.ts) is never
// confirmed: it holds its slot as pending until they do, and becomes what the platform's mode says then.

export const HOLDING: PitchStatus[] = ['pending', 'confirmed']

export function holdsSlot(status: PitchStatus): boolean {
  return HOLDING.includes(status)
}

/** The status of a new booking, given how many slots the session has and how many are held. */
export function statusForNewBooking(slots: number, held: number, mode: BookingMode, addressConfirmed = true): PitchStatus {
  if (held >= slots) return 'waiting'
  return mode === 'auto' && addressConfirmed ? 'confirmed' : 'pending'
}

/** A waiting booking given a freed slot. */
export function promotedStatus(mode: BookingMode, addressConfirmed: boolean): PitchStatus {
  return mode === 'auto' && addressConfirmed ? 'confirmed' : 'pending'
}

/** A booking whose holder just confirmed their address: in automatic mode, a held slot is confirmed. */
export function statusOnAddressConfirmed(status: PitchStatus, mode: BookingMode): PitchStatus {
  return status === 'pending' && mode === 'auto' ? 'confirmed' : status
}

export interface Waiting { id: number; created_at: string; position: number }

/** The waiting bookings to promote now that slots may be free, first come first served. */
export function toPromote(slots: number, held: number, waiting: Waiting[]): Waiting[] {
  const free = Math.max(0, slots - held)
  return [...waiting].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id).slice(0, free)
}

/** Booking is open on published sessions until `closeDays` days before the session (in the platform's zone). */
export function bookingOpen(session: { status: string; date: string }, today: string, closeDays: number, addDays: (d: string, n: number) => string): boolean {
  return session.status === 'published' && today <= addDays(session.date, -closeDays)
}
