import type { Db } from '../db/schema.js'
import type { PeriodRows } from './compute.js'
import type { Period } from './period.js'

// Read-only: the rows of a period for one platform or for several (the network view), from the tables
// sessions/, pitches/, partners/, record/ and referrals/ own. A fixed number of queries whatever the data size
// and whatever the number of platforms (LOAD_QUERIES; a test counts them): one per table, each bounded by the
// platforms and the period's dates — never one per platform, session or pitch.

export const LOAD_QUERIES = 11

const groupBy = <T extends { platform_id: number }>(rows: T[]) => {
  const out = new Map<number, Array<Omit<T, 'platform_id'>>>()
  for (const { platform_id, ...rest } of rows) {
    let list = out.get(platform_id)
    if (!list) out.set(platform_id, (list = []))
    list.push(rest)
  }
  return out
}

/** Each platform's rows of the period (session.date is the platform's wall-clock date). */
export async function loadPlatforms(db: Db, platformIds: number[], period: Period, now: string): Promise<Map<number, PeriodRows>> {
  if (platformIds.length === 0) return new Map()
  const { from, to } = period
  const ofPeriod = (q: any) => q.where('session.platform_id', 'in', platformIds).where('session.date', '>=', from).where('session.date', '<=', to)
  const [sessions, communes, pitches, earlier, attendance, invitations, partners, advice, referrals, succeeded, records] = await Promise.all([
    db.selectFrom('session')
      .select(['platform_id', 'id', 'date', 'start_time', 'end_time', 'ends_at', 'status', 'mode', 'commune_id'])
      .where('platform_id', 'in', platformIds).where('date', '>=', from).where('date', '<=', to)
      .where('status', 'in', ['published', 'cancelled'])
      .orderBy('date').execute(),
    db.selectFrom('commune').select(['platform_id', 'id', 'name']).where('platform_id', 'in', platformIds).execute(),
    db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').innerJoin('holder', 'holder.id', 'pitch.holder_id')
      .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
      .select(['session.platform_id', 'pitch.id', 'pitch.session_id', 'pitch.holder_id', 'pitch.status', 'holder.kind as holder_kind', 'holder.commune_id as holder_commune_id',
        'pitch.initiative_id', 'initiative.domain', 'initiative.stage'])
      .$call(ofPeriod).execute(),
    // Holders who presented at a session held before the period: they are "returning" in it.
    db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['session.platform_id', 'pitch.holder_id']).distinct()
      .where('session.platform_id', 'in', platformIds).where('session.date', '<', from)
      .where('session.status', '=', 'published').where('session.ends_at', '<=', now).where('pitch.status', '=', 'confirmed')
      .execute(),
    db.selectFrom('attendance').innerJoin('session', 'session.id', 'attendance.session_id')
      .select(['session.platform_id', 'attendance.session_id', 'attendance.partner_id', 'attendance.organisation', 'attendance.presence', 'attendance.holder_id'])
      .$call(ofPeriod).execute(),
    db.selectFrom('invitation').innerJoin('session', 'session.id', 'invitation.session_id').innerJoin('contact', 'contact.id', 'invitation.contact_id')
      .select(['session.platform_id', 'invitation.session_id', 'contact.partner_id'])
      .$call(ofPeriod).execute(),
    db.selectFrom('partner').select(['platform_id', 'id', 'name', 'name_key']).where('platform_id', 'in', platformIds).execute(),
    db.selectFrom('advice').innerJoin('pitch', 'pitch.id', 'advice.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['session.platform_id', 'advice.pitch_id', 'advice.source'])
      .$call(ofPeriod).execute(),
    db.selectFrom('referral').innerJoin('pitch', 'pitch.id', 'referral.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['session.platform_id', 'referral.id', 'referral.pitch_id', 'referral.partner_id', 'referral.status', 'referral.created_at'])
      .$call(ofPeriod).execute(),
    db.selectFrom('referral_event').innerJoin('referral', 'referral.id', 'referral_event.referral_id')
      .innerJoin('pitch', 'pitch.id', 'referral.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['session.platform_id', 'referral_event.referral_id', 'referral_event.created_at'])
      .where('referral_event.status', '=', 'succeeded')
      .$call(ofPeriod).execute(),
    db.selectFrom('pitch_record').innerJoin('pitch', 'pitch.id', 'pitch_record.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['session.platform_id', 'pitch_record.pitch_id', 'pitch_record.stage_before', 'pitch_record.stage_after'])
      .$call(ofPeriod).execute(),
  ])
  const by = {
    sessions: groupBy(sessions), communes: groupBy(communes), pitches: groupBy(pitches), earlier: groupBy(earlier), attendance: groupBy(attendance),
    invitations: groupBy(invitations), partners: groupBy(partners), advice: groupBy(advice), referrals: groupBy(referrals),
    succeeded: groupBy(succeeded), records: groupBy(records),
  }
  return new Map(platformIds.map((id) => [id, {
    period, sessions: by.sessions.get(id) ?? [], communes: by.communes.get(id) ?? [], pitches: by.pitches.get(id) ?? [],
    earlierHolderIds: (by.earlier.get(id) ?? []).map((r) => r.holder_id), attendance: by.attendance.get(id) ?? [],
    invitations: by.invitations.get(id) ?? [], partners: by.partners.get(id) ?? [], advice: by.advice.get(id) ?? [],
    referrals: by.referrals.get(id) ?? [], referralSucceededEvents: by.succeeded.get(id) ?? [], records: by.records.get(id) ?? [],
  } as PeriodRows]))
}

/** One platform's rows of the period. */
export async function loadPeriod(db: Db, platformId: number, period: Period, now: string): Promise<PeriodRows> {
  return (await loadPlatforms(db, [platformId], period, now)).get(platformId)!
}
