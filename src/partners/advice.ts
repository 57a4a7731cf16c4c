import type { AdviceSource, Db } from '../db/schema.js'

// Advice on a pitch, as the session's record shows and takes it: the written advice sent through an excused
// partner's link (partners/store.ts insertAdvice, source 'written') and the advice said at the table, which
// the facilitator records (source 'table'). The advice table belongs to partners/.

export interface TableAdviceInput {
  pitchId: number
  /** A present contact, or null. */
  contactId: number | null
  /** The organisation it came from (the contact's, or one chosen), or null for a free name. */
  partnerId: number | null
  /** Who said it when they are not a contact (a walk-in, a name); null otherwise. */
  authorName: string | null
  body: string
  recordedBy: number | null
}

/** Records one piece of advice said at the session. */
export async function insertTableAdvice(db: Db, input: TableAdviceInput, now: string): Promise<number> {
  const row = await db.insertInto('advice').values({
    pitch_id: input.pitchId, contact_id: input.contactId, partner_id: input.partnerId, author_name: input.authorName,
    body: input.body, source: 'table', recorded_by: input.recordedBy, created_at: now,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
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
