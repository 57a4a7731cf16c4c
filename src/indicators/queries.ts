import type { Db } from '../db/schema.js'
import type { YearRows } from './compute.js'

// Read-only: the rows of one platform's year, from the tables sessions/, pitches/, partners/, record/ and
// referrals/ own. A fixed number of queries whatever the data size (LOAD_YEAR_QUERIES; a test counts them):
// one per table, each bounded by the platform and the year's dates — never one per session or pitch.

export const LOAD_YEAR_QUERIES = 10

/** The year's first and last local dates: session.date is the platform's wall-clock date. */
function yearRange(year: number): { from: string; to: string } {
  return { from: `${year}-01-01`, to: `${year}-12-31` }
}

export async function loadYear(db: Db, platformId: number, year: number, now: string): Promise<YearRows> {
  const { from, to } = yearRange(year)
  const sessionsOfYear = (q: any) => q.where('session.platform_id', '=', platformId).where('session.date', '>=', from).where('session.date', '<=', to)
  const [sessions, communes, pitches, earlier, attendance, invitations, partners, advice, referrals, succeeded] = await Promise.all([
    db.selectFrom('session')
      .select(['id', 'date', 'start_time', 'end_time', 'ends_at', 'status', 'mode', 'commune_id'])
      .where('platform_id', '=', platformId).where('date', '>=', from).where('date', '<=', to)
      .where('status', 'in', ['published', 'cancelled'])
      .orderBy('date').execute(),
    db.selectFrom('commune').select(['id', 'name']).where('platform_id', '=', platformId).execute(),
    db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').innerJoin('holder', 'holder.id', 'pitch.holder_id')
      .innerJoin('initiative', 'initiative.id', 'pitch.initiative_id')
      .select(['pitch.id', 'pitch.session_id', 'pitch.holder_id', 'pitch.status', 'holder.kind as holder_kind', 'pitch.initiative_id', 'initiative.domain', 'initiative.stage'])
      .$call(sessionsOfYear).execute(),
    // Holders who presented at a session held before the year: they are "returning" this year.
    db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id')
      .select('pitch.holder_id').distinct()
      .where('session.platform_id', '=', platformId).where('session.date', '<', from)
      .where('session.status', '=', 'published').where('session.ends_at', '<=', now).where('pitch.status', '=', 'confirmed')
      .execute(),
    db.selectFrom('attendance').innerJoin('session', 'session.id', 'attendance.session_id')
      .select(['attendance.session_id', 'attendance.partner_id', 'attendance.organisation', 'attendance.presence', 'attendance.holder_id'])
      .$call(sessionsOfYear).execute(),
    db.selectFrom('invitation').innerJoin('session', 'session.id', 'invitation.session_id').innerJoin('contact', 'contact.id', 'invitation.contact_id')
      .select(['invitation.session_id', 'contact.partner_id'])
      .$call(sessionsOfYear).execute(),
    db.selectFrom('partner').select(['id', 'name', 'name_key']).where('platform_id', '=', platformId).execute(),
    db.selectFrom('advice').innerJoin('pitch', 'pitch.id', 'advice.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['advice.pitch_id', 'advice.source'])
      .$call(sessionsOfYear).execute(),
    db.selectFrom('referral').innerJoin('pitch', 'pitch.id', 'referral.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['referral.id', 'referral.pitch_id', 'referral.partner_id', 'referral.status', 'referral.created_at'])
      .$call(sessionsOfYear).execute(),
    db.selectFrom('referral_event').innerJoin('referral', 'referral.id', 'referral_event.referral_id')
      .innerJoin('pitch', 'pitch.id', 'referral.pitch_id').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['referral_event.referral_id', 'referral_event.created_at'])
      .where('referral_event.status', '=', 'succeeded')
      .$call(sessionsOfYear).execute(),
  ])
  return {
    year, sessions, communes, pitches, earlierHolderIds: earlier.map((r) => r.holder_id),
    attendance, invitations, partners, advice, referrals, referralSucceededEvents: succeeded,
  } as YearRows
}
