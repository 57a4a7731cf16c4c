import type { AppContext } from '../context.js'
import type { Answer, Db, Platform } from '../db/schema.js'
import type { SessionRow } from '../sessions/store.js'
import { answerForm } from './forms.js'
import { type AnswerOutcome, recordAnswer } from './invitations.js'
import type { InvitationRow } from './invitation-store.js'

// Answers that come from a partner's calendar ("Accepter" in Outlook, Gmail…: replies/ reads them) and
// bounces of what was sent to an invitation's address. partners/ owns the invitation rows: replies/ decides
// what a message means, these functions write it.

export interface CalendarAnswerInput {
  answer: Exclude<Answer, 'none'>
  comment: string | null
  /** When the partner answered (the reply's DTSTAMP, never later than now): ordered against link answers. */
  answeredAt: string
  delegate: { name: string; email: string } | null
}

/**
 * Records a calendar answer like the link's button would, then marks it as coming from the calendar, and runs
 * `record` (the caller's own bookkeeping) in the same transaction as that last write. Naming a colleague, or
 * answering anything else after having named one, goes through the link's own recordAnswer: the colleague is
 * invited (or their invitation revoked) with the same checks, caps and emails as "Je me fais remplacer".
 */
export async function recordCalendarAnswer(
  ctx: AppContext, platform: Platform, session: SessionRow, invitation: InvitationRow, input: CalendarAnswerInput,
  record: (trx: Db) => Promise<void>,
): Promise<AnswerOutcome> {
  const comment = input.comment ?? invitation.comment
  if (input.answer === 'delegate' || invitation.answer === 'delegate') {
    // "Peut-être" is no answer the link offers: after a delegation it revokes the colleague as "Je ne peux
    // pas venir" would, and is written as tentative below.
    const form = answerForm.safeParse({
      answer: input.answer === 'tentative' ? 'declined' : input.answer, comment: comment ?? '',
      delegate_name: input.delegate?.name ?? '', delegate_email: input.delegate?.email ?? '',
    })
    if (!form.success) return { ok: false, field: 'delegate_email', message: form.error.issues[0]?.message ?? 'Réponse invalide.' }
    const outcome = await recordAnswer(ctx, platform, session, invitation, form.data)
    if (!outcome.ok) return outcome
  }
  const now = ctx.clock().toISOString()
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('invitation').set({
      answer: input.answer, comment, answered_at: input.answeredAt, answer_source: 'calendar',
      calendar_answered_at: input.answeredAt, updated_at: now,
    }).where('id', '=', invitation.id).execute()
    await record(trx)
  })
  return { ok: true }
}

/** A delivery-status report said the message to this invitation's address failed (permanently). */
export async function markAddressFailing(db: Db, invitationId: number, failure: string, now: string): Promise<void> {
  await db.updateTable('invitation').set({ address_failed_at: now, address_failure: failure.slice(0, 300), updated_at: now })
    .where('id', '=', invitationId).execute()
}

/**
 * Where the answer came from: the calendar while answered_at is still the one the calendar answer wrote; an
 * answer given later on the link moves answered_at past it (answer_source adds nothing: it is 'calendar'
 * exactly when calendar_answered_at is set).
 */
export function answerSource(row: { answered_at: string | null; calendar_answered_at: string | null }): 'link' | 'calendar' {
  return row.calendar_answered_at !== null && row.answered_at === row.calendar_answered_at ? 'calendar' : 'link'
}

export interface AnswerNote { fromCalendar: boolean; addressFailure: string | null }

/** What the facilitator's table adds to each invitation of a session: calendar answers, failing addresses. */
export async function calendarAnswerNotes(db: Db, sessionId: number): Promise<Record<number, AnswerNote>> {
  const rows = await db.selectFrom('invitation')
    .select(['id', 'answered_at', 'calendar_answered_at', 'address_failed_at', 'address_failure'])
    .where('session_id', '=', sessionId).execute()
  const notes: Record<number, AnswerNote> = {}
  for (const r of rows) {
    notes[r.id] = {
      fromCalendar: answerSource(r) === 'calendar',
      addressFailure: r.address_failed_at ? (r.address_failure ?? 'adresse en échec') : null,
    }
  }
  return notes
}
