import type { AdviceSource, Db } from '../db/schema.js'

// Advice on a pitch: the written advice sent through an excused partner's link (source 'written', the RSVP
// page) and the advice said at the table, which the facilitator records (source 'table', the session's
// record). The advice table belongs to partners/, and insertAdvice is its one writer.

export interface AdviceInput {
  pitchId: number
  /** A present contact, or null. */
  contactId: number | null
  /** The organisation it came from (the contact's, or one chosen), or null for a free name. */
  partnerId: number | null
  /** Who said it when they are not a contact (a walk-in, a name); null otherwise. */
  authorName?: string | null
  body: string
  /** 'written' (through the partner's link, the default) or 'table' (said at the session). */
  source?: AdviceSource
  /** The facilitator who recorded advice said at the table. */
  recordedBy?: number | null
}

/** Records one piece of advice on a pitch. */
export async function insertAdvice(db: Db, input: AdviceInput, now: string): Promise<void> {
  await db.insertInto('advice').values({
    pitch_id: input.pitchId, contact_id: input.contactId, partner_id: input.partnerId, author_name: input.authorName ?? null,
    body: input.body, source: input.source ?? 'written', recorded_by: input.recordedBy ?? null, created_at: now,
  }).execute()
}

export interface PitchAdvice {
  id: number
  pitchId: number
  source: AdviceSource
  body: string
  contactId: number | null
  partnerId: number | null
  authorName: string | null
  contactName: string | null
  organisation: string | null
  createdAt: string
}

/** Every piece of advice on these pitches, written and said, oldest first. */
export async function adviceOfPitches(db: Db, pitchIds: number[]): Promise<PitchAdvice[]> {
  if (pitchIds.length === 0) return []
  return db.selectFrom('advice')
    .leftJoin('contact', 'contact.id', 'advice.contact_id')
    .leftJoin('partner', 'partner.id', 'advice.partner_id')
    .select([
      'advice.id', 'advice.pitch_id as pitchId', 'advice.source', 'advice.body', 'advice.contact_id as contactId', 'advice.partner_id as partnerId',
      'advice.author_name as authorName', 'contact.name as contactName', 'partner.name as organisation', 'advice.created_at as createdAt',
    ])
    .where('advice.pitch_id', 'in', pitchIds)
    .orderBy('advice.id').execute()
}

/** Who gave a piece of advice, as the record page says it. */
export function adviceAuthor(a: Pick<PitchAdvice, 'contactName' | 'authorName' | 'organisation'>): string {
  const who = a.contactName ?? a.authorName
  if (who && a.organisation) return `${who} (${a.organisation})`
  return who ?? a.organisation ?? 'Anonyme'
}

/** One piece of advice on one of these pitches (another pitch's, or another session's, is not found). */
export async function findAdviceOn(db: Db, adviceId: number, pitchIds: number[]): Promise<PitchAdvice | undefined> {
  if (pitchIds.length === 0) return undefined
  return (await adviceOfPitches(db, pitchIds)).find((a) => a.id === adviceId)
}

/**
 * The facilitator corrects what was said at the table. Written advice (sent by a partner through their
 * link) is the partner's own words: it is not rewritten, only removed. True when changed.
 */
export async function updateAdviceBody(db: Db, adviceId: number, body: string): Promise<boolean> {
  const updated = await db.updateTable('advice').set({ body }).where('id', '=', adviceId).where('source', '=', 'table').where('body', '!=', body).executeTakeFirst()
  return Number(updated.numUpdatedRows) === 1
}

/** Removes one piece of advice (recorded by mistake, or not to be kept). True when it was there. */
export async function deleteAdvice(db: Db, adviceId: number): Promise<boolean> {
  const deleted = await db.deleteFrom('advice').where('id', '=', adviceId).executeTakeFirst()
  return Number(deleted.numDeletedRows) === 1
}
