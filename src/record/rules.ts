import type { PitchRecord } from '../db/schema.js'
import { nameKey } from '../platforms/names.js'
import type { RecordFields } from './store.js'

// Pure comparisons behind "saving twice changes nothing" on a pitch's record.

/** Does the save say something other than what is stored? */
export function recordChanged(stored: Pick<PitchRecord, keyof RecordFields> | undefined, fields: RecordFields): boolean {
  if (!stored) return fields.summary !== null || fields.next_steps !== null || fields.stage_after !== null || fields.revisit === 1
  return (Object.keys(fields) as Array<keyof RecordFields>).some((k) => stored[k] !== fields[k])
}

const sameText = (a: string | null, b: string | null) => nameKey(a ?? '') === nameKey(b ?? '')

/** The same advice from the same person, already recorded (a second save, a double tap). */
export function sameAdvice(
  had: { contactId: number | null; partnerId: number | null; authorName: string | null; body: string },
  next: { contactId: number | null; partnerId: number | null; authorName: string | null; body: string },
): boolean {
  return had.contactId === next.contactId && had.partnerId === next.partnerId && sameText(had.authorName, next.authorName) && had.body.trim() === next.body.trim()
}

/** A referral to the same organisation about the same subject, already made on this pitch. */
export function sameReferral(had: { partnerId: number; subject: string }, next: { partnerId: number; subject: string }): boolean {
  return had.partnerId === next.partnerId && sameText(had.subject, next.subject)
}
