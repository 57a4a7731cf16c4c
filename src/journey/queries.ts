import type { Db } from '../db/schema.js'
import { adviceOfPitches } from '../partners/advice.js'
import { initiativeHolders, initiativePitches } from '../pitches/initiatives.js'
import { pitchRecords } from '../record/store.js'

// Read-only: everything an initiative's journey shows, from the floors that own it — pitches/ (the pitches
// and holders), partners/ (advice), referrals/ (referrals and their events), record/ (each pitch's record).
// journey/ writes nothing.

/** The initiative's pitches, oldest session first, with the session's times and the holder (pitches/). */
async function journeyPitches(db: Db, initiativeId: number) {
  return (await initiativePitches(db, [initiativeId])).map((p) => ({
    id: p.id, status: p.status, holderId: p.holder_id, createdAt: p.created_at, holderName: p.holder_name,
    date: p.date, startsAt: p.starts_at, endsAt: p.ends_at, sessionStatus: p.session_status,
  }))
}

/** The referrals of the initiative or of its pitches (a merged duplicate's referrals stay on its pitches). */
function journeyReferrals(db: Db, initiativeId: number, pitchIds: number[]) {
  return db.selectFrom('referral').innerJoin('partner', 'partner.id', 'referral.partner_id')
    .leftJoin('contact', 'contact.id', 'referral.contact_id')
    .select(['referral.id', 'referral.pitch_id as pitchId', 'referral.subject', 'referral.status', 'partner.name as organisation', 'contact.name as contactName'])
    .where((eb) => pitchIds.length ? eb.or([eb('referral.initiative_id', '=', initiativeId), eb('referral.pitch_id', 'in', pitchIds)]) : eb('referral.initiative_id', '=', initiativeId))
    .orderBy('referral.id').execute()
}

function referralEvents(db: Db, referralIds: number[]) {
  if (referralIds.length === 0) return Promise.resolve([])
  return db.selectFrom('referral_event')
    .leftJoin('facilitator', 'facilitator.id', 'referral_event.by_facilitator_id')
    .leftJoin('contact', 'contact.id', 'referral_event.by_contact_id')
    .select([
      'referral_event.id', 'referral_event.referral_id as referralId', 'referral_event.status', 'referral_event.note', 'referral_event.by_kind as byKind',
      'referral_event.by_name as byName', 'referral_event.created_at as at', 'facilitator.name as facilitatorName', 'contact.name as contactName',
    ])
    .where('referral_event.referral_id', 'in', referralIds).orderBy('referral_event.created_at').orderBy('referral_event.id').execute()
}

/** The initiative itself (pitches/ owns it). */
export function journeyInitiative(db: Db, initiativeId: number) {
  return db.selectFrom('initiative').select(['id', 'title', 'stage', 'created_at']).where('id', '=', initiativeId).executeTakeFirst()
}

/** Everything the timeline builder (timeline.ts) needs about one initiative, read at once. */
export async function journeyFacts(db: Db, initiative: { id: number; title: string; stage: string | null; created_at: string }) {
  const [pitches, holders] = await Promise.all([journeyPitches(db, initiative.id), initiativeHolders(db, [initiative.id])])
  const ids = pitches.map((p) => p.id)
  const [records, advice, referrals] = await Promise.all([pitchRecords(db, ids), adviceOfPitches(db, ids), journeyReferrals(db, initiative.id, ids)])
  const events = await referralEvents(db, referrals.map((r) => r.id))
  return {
    initiative: { id: initiative.id, title: initiative.title, stage: initiative.stage, createdAt: initiative.created_at },
    holders: holders.map((h) => ({ id: h.id, name: h.name, kind: h.kind })),
    pitches, advice,
    records: records.map((r) => ({ pitchId: r.pitch_id, summary: r.summary, nextSteps: r.next_steps, stageBefore: r.stage_before, stageAfter: r.stage_after })),
    referrals, events,
  }
}

export type JourneyFacts = Awaited<ReturnType<typeof journeyFacts>>
