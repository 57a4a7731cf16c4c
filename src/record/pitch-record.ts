import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { type AdviceInput, adviceOfPitches, insertAdvice, type PitchAdvice } from '../partners/advice.js'
import { pitchRecipientOrMailbox } from '../pitches/booking.js'
import { initiativeStage, setInitiativeStage } from '../pitches/stage.js'
import { findPitch } from '../pitches/store.js'
import { createReferral } from '../referrals/store.js'
import { queueSessionMail } from '../sessions/notify.js'
import { listSessions, lockSession, type SessionRow } from '../sessions/store.js'
import type { FieldErrors } from '../web/forms.js'
import type { RecordInput } from './forms.js'
import { heldPitches, platformContacts, platformPartners, referralsOfPitches } from './reads.js'
import { findPitchRecord, type RecordFields, savePitchRecord, sessionAttendanceRows } from './store.js'
import { recordChanged, sameAdvice, sameReferral, stageMove } from './rules.js'

// The record of one pitch: summary, advice, referrals, next steps, stage, "à revoir" — saved at once or not at all.

/** Later published sessions the holder may be offered ("À revoir lors d'une prochaine séance"). */
export async function revisitChoices(db: Db, platform: Platform, session: SessionRow, today: string) {
  const from = session.date >= today ? session.date : today
  return (await listSessions(db, platform.id, { from, statuses: ['published'] })).filter((s) => s.date > session.date)
}

export type SaveOutcome = { kind: 'saved' } | { kind: 'stale' } | { kind: 'invalid'; errors: FieldErrors }

/**
 * Saves one pitch's record in one transaction under the session's lock. A record a colleague saved since the
 * form was loaded (its version moved) is refused unless this save says the same thing about it: nothing is
 * overwritten silently. Advice and referrals the pitch already has are not added twice (a second save of
 * the same form changes nothing). Offering a later session queues the holder's "à revoir" mail, once per offer.
 */
export async function savePitch(ctx: AppContext, platform: Platform, session: SessionRow, input: RecordInput, by: number | null, today: string): Promise<SaveOutcome> {
  const now = ctx.clock().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, session.id)
    const pitch = (await heldPitches(trx, session.id)).find((p) => p.id === input.pitch_id)
    if (!pitch) return { kind: 'invalid', errors: { _form: "Cette présentation n'est pas à l'ordre du jour de la séance." } }
    const errors: FieldErrors = {}
    const partners = new Map((await platformPartners(trx, platform.id)).map((p) => [p.id, p]))
    const contacts = new Map((await platformContacts(trx, platform.id)).map((c) => [c.id, c]))
    const present = (await sessionAttendanceRows(trx, session.id)).filter((r) => r.presence !== 'absent')
    const advice: Array<AdviceInput & { authorName: string | null }> = []
    input.advice.forEach((a, n) => {
      const w = a.who
      const base = { pitchId: pitch.id, body: a.body, source: 'table' as const, recordedBy: by }
      if (w.kind === 'name') return advice.push({ ...base, contactId: null, partnerId: null, authorName: w.name })
      if (w.kind === 'partner') {
        if (!partners.has(w.id)) errors[`advice_who_${n}`] = 'Choisissez une organisation de la liste.'
        else advice.push({ ...base, contactId: null, partnerId: w.id, authorName: null })
        return
      }
      const row = present.find((r) => (w.kind === 'contact' ? r.contact_id === w.id : r.id === w.id && r.contact_id === null && r.holder_id === null))
      if (!row) errors[`advice_who_${n}`] = 'Choisissez une personne présente (ou une organisation, ou un nom).'
      else advice.push({ ...base, contactId: row.contact_id, partnerId: row.partner_id, authorName: w.kind === 'walkin' ? row.name : null })
    })
    input.referrals.forEach((r, n) => {
      if (!partners.has(r.partnerId)) errors[`ref_partner_${n}`] = 'Choisissez une organisation de la liste.'
      else if (r.contactId !== null && contacts.get(r.contactId)?.partnerId !== r.partnerId) errors[`ref_contact_${n}`] = "Ce contact n'est pas de cette organisation."
    })
    let target: SessionRow | undefined
    if (input.revisit) {
      target = (await revisitChoices(trx, platform, session, today)).find((s) => s.date === input.revisit_session)
      if (!target) errors.revisit_session = 'Choisissez une des séances à venir proposées.'
    }
    if (Object.keys(errors).length) return { kind: 'invalid', errors }

    const stored = await findPitchRecord(trx, pitch.id)
    const fields: RecordFields = {
      summary: input.summary, next_steps: input.next_steps, stage_after: input.stage_after,
      revisit: input.revisit ? 1 : 0, revisit_session_id: target?.id ?? null,
    }
    const version = stored?.version ?? 0
    const changed = recordChanged(stored, fields)
    if (input.version !== version && changed) return { kind: 'stale' }
    const offer = target && (stored?.revisit_session_id !== target.id || !stored?.revisit || !stored.revisit_offered_at)
    const offeredAt = !target ? null : offer ? now : stored!.revisit_offered_at
    // The stage after the pitch moves the initiative's (pitches/ owns it); the stage before is kept, so the journey dates the change.
    const move = stageMove(stored, fields.stage_after, await initiativeStage(trx, pitch.initiativeId))
    if (changed && !(await savePitchRecord(trx, pitch.id, version, fields, move.before, offeredAt, by, now))) return { kind: 'stale' }
    if (changed && move.set !== undefined) await setInitiativeStage(trx, pitch.initiativeId, move.set, now)

    const had: PitchAdvice[] = await adviceOfPitches(trx, [pitch.id])
    for (const a of advice) if (!had.some((h) => sameAdvice(h, a))) await insertAdvice(trx, a, now)
    const referred = await referralsOfPitches(trx, [pitch.id])
    for (const r of input.referrals) {
      if (referred.some((x) => sameReferral(x, r))) continue
      await createReferral(trx, ctx, {
        pitchId: pitch.id, initiativeId: pitch.initiativeId, partnerId: r.partnerId, contactId: r.contactId, subject: r.subject,
        followUpOn: r.followUpOn, shareContact: pitch.sharesContact === 1, createdBy: by,
      }, now)
    }
    if (offer && target) await queueRevisit(ctx, trx, platform, pitch.id, target)
    return { kind: 'saved' }
  })
}

/** The holder's "à revoir" mail: the offered session, and their own /pitch/ link to book it in one step. */
async function queueRevisit(ctx: AppContext, db: Db, platform: Platform, pitchId: number, target: SessionRow) {
  const pitch = (await findPitch(db, pitchId))!
  // Someone booked by phone without an address: the message goes to the platform's mailbox, to pass on.
  await queueSessionMail(ctx, db, platform, target, 'pitch.revisit', pitchRecipientOrMailbox(ctx, platform, pitch), {
    itip: null, initiativeTitle: pitch.title, dedupeKey: `pitch.revisit:${pitch.id}:${target.id}`,
  })
}
