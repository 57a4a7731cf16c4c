import { describe, expect, it } from 'vitest'
import {
  bookingOpen, holdsSlot, promotedStatus, statusForNewBooking, statusOnAddressConfirmed, toPromote,
} from '../../src/pitches/waiting-list.js'

// Pure: who holds a slot, who waits, who is promoted.
const addDays = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

describe('waiting list', () => {
  it('a pending or confirmed booking holds its slot; waiting, declined and withdrawn ones do not', () => {
    expect(['pending', 'confirmed'].every((s) => holdsSlot(s as never))).toBe(true)
    expect(['waiting', 'declined', 'withdrawn'].some((s) => holdsSlot(s as never))).toBe(false)
  })

  it('a new booking is confirmed in automatic mode, pending in review mode, waiting when every slot is held', () => {
    expect(statusForNewBooking(3, 2, 'auto')).toBe('confirmed')
    expect(statusForNewBooking(3, 2, 'review')).toBe('pending')
    expect(statusForNewBooking(3, 3, 'auto')).toBe('waiting')
    expect(statusForNewBooking(3, 4, 'review')).toBe('waiting')
    expect(statusForNewBooking(0, 0, 'auto')).toBe('waiting')
  })

  it('a booking whose address is not confirmed yet holds its slot as pending, whatever the mode', () => {
    expect(statusForNewBooking(3, 0, 'auto', false)).toBe('pending')
    expect(promotedStatus('auto', false)).toBe('pending')
    expect(promotedStatus('auto', true)).toBe('confirmed')
    expect(promotedStatus('review', true)).toBe('pending')
  })

  it('confirming the address confirms a pending booking in automatic mode only', () => {
    expect(statusOnAddressConfirmed('pending', 'auto')).toBe('confirmed')
    expect(statusOnAddressConfirmed('pending', 'review')).toBe('pending')
    expect(statusOnAddressConfirmed('waiting', 'auto')).toBe('waiting')
  })

  it('promotes first come, first served, as many as there are free slots', () => {
    const waiting = [
      { id: 7, created_at: '2026-03-02T10:00:00.000Z', position: 1 },
      { id: 5, created_at: '2026-03-01T10:00:00.000Z', position: 2 },
      { id: 6, created_at: '2026-03-01T10:00:00.000Z', position: 3 },
    ]
    expect(toPromote(3, 1, waiting).map((w) => w.id)).toEqual([5, 6])
    expect(toPromote(3, 3, waiting)).toEqual([])
    expect(toPromote(3, 5, waiting)).toEqual([])
    expect(waiting.map((w) => w.id)).toEqual([7, 5, 6]) // the input is left as it was
  })

  it('booking is open on a published session until closeDays before it', () => {
    const session = { status: 'published', date: '2026-03-27' }
    expect(bookingOpen(session, '2026-03-20', 7, addDays)).toBe(true)
    expect(bookingOpen(session, '2026-03-21', 7, addDays)).toBe(false)
    expect(bookingOpen({ ...session, status: 'draft' }, '2026-03-01', 7, addDays)).toBe(false)
    expect(bookingOpen({ ...session, status: 'cancelled' }, '2026-03-01', 0, addDays)).toBe(false)
  })
})
