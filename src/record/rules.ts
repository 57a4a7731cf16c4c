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

export interface StageMove {
  /** What the record keeps as the stage before the pitch. */
  before: string | null
  /** The initiative's new stage, or undefined to leave it as it is. */
  set?: string | null
}

/**
 * What a record's "stage after" does to the initiative. The first stage recorded keeps the initiative's
 * stage of the moment as "before" and moves the initiative; a correction keeps that "before" and moves the
 * initiative again only if nothing else moved it since (it still has the stage this record gave it);
 * clearing the stage gives the initiative back its stage before, on the same condition.
 */
export function stageMove(stored: { stage_before: string | null; stage_after: string | null } | undefined, next: string | null, current: string | null): StageMove {
  const had = stored?.stage_after ?? null
  if (next === had) return { before: stored?.stage_before ?? null }
  if (had === null) return next === current ? { before: current } : { before: current, set: next }
  const untouched = current === had
  if (next === null) return untouched ? { before: null, set: stored!.stage_before } : { before: null }
  return untouched ? { before: stored!.stage_before, set: next } : { before: stored!.stage_before }
}
