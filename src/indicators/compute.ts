import type { AdviceSource, PitchStatus, Presence, ReferralStatus, SessionMode, SessionStatus } from '../db/schema.js'
import { INDICATOR_KEYS, type IndicatorKey, type Targets } from './keys.js'
import { byFrench, partnerFigures } from './partners.js'
import type { Period } from './period.js'
import { stageFigures } from './stages.js'

// The figures of a period (a calendar year by default, or any date range), computed from the rows of that
// period (queries.ts loads them). Pure: the clock is handed in, so "held" (a published session whose end has
// passed) is decided here and tested.

export interface PeriodRows {
  period: Period
  /** Published and cancelled sessions; `date` is the platform's wall-clock date (its time zone). */
  sessions: Array<{ id: number; date: string; start_time: string; end_time: string; ends_at: string; status: SessionStatus; mode: SessionMode; commune_id: number | null }>
  communes: Array<{ id: number; name: string }>
  pitches: Array<{ id: number; session_id: number; holder_id: number; status: PitchStatus; holder_kind: string; holder_commune_id: number | null; initiative_id: number; domain: string | null; stage: string | null }>
  /** Holders who presented at a session held before the period (first-time vs returning). */
  earlierHolderIds: number[]
  attendance: Array<{ session_id: number; partner_id: number | null; organisation: string | null; presence: Presence; holder_id: number | null }>
  /** One row per invitation: the session and the invited contact's organisation. */
  invitations: Array<{ session_id: number; partner_id: number }>
  partners: Array<{ id: number; name: string; name_key: string }>
  advice: Array<{ pitch_id: number; source: AdviceSource }>
  referrals: Array<{ id: number; pitch_id: number; partner_id: number; status: ReferralStatus; created_at: string }>
  /** The 'succeeded' events of those referrals (a referral reopened has one, and a later status). */
  referralSucceededEvents: Array<{ referral_id: number; created_at: string }>
  /** The records of the period's pitches: the initiative's stage before the pitch and after it (record/). */
  records: Array<{ pitch_id: number; stage_before: string | null; stage_after: string | null }>
}

export interface PartnerFigures { name: string; invited: number; present: number; onSite: number; remote: number; known: boolean }

export interface Indicators extends Record<IndicatorKey, number> {
  /** The calendar year, or null for another date range (then no targets). */
  year: number | null
  from: string
  to: string
  sessionsUpcoming: number
  sessionsByMode: Record<SessionMode, number>
  /** Hours of roundtable at the sessions held (their planned times). */
  hours: number
  communes: Array<{ name: string; sessions: number }>
  communesNever: string[]
  holdersByKind: Record<string, number>
  firstTimeHolders: number
  returningHolders: number
  /** Distinct holders who presented, by their commune ('' when not said). */
  holdersByCommune: Array<{ name: string; holders: number }>
  /** How many communes the holders come from (a holder without one is not counted). */
  holderCommunes: number
  /** Organisations invited at least once to a session held. */
  partnersInvited: number
  partners: PartnerFigures[]
  adviceBySource: Record<AdviceSource, number>
  referralsByStatus: Record<ReferralStatus, number>
  /** Per receiving organisation: referrals made, and how many are "aboutie". */
  referralsByPartner: Array<{ name: string; referrals: number; succeeded: number }>
  /** Median days from a referral to its (last) "aboutie", over the referrals aboutie now; null if none. */
  medianDaysToSucceeded: number | null
  /** Distinct initiatives presented, by domain and by their stage when first presented in the period ('' when not said). */
  initiativesByDomain: Record<string, number>
  initiativesByStage: Record<string, number>
  /** Initiatives whose recorded stage moved over the period, from → to ('' when not said). */
  stageChanges: Array<{ from: string; to: string; initiatives: number }>
  initiativesStageChanged: number
  targets: Targets
}

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))

export function computeIndicators(rows: PeriodRows, now: string, targets: Targets = {}): Indicators {
  // The period is in the platform's dates: a session's date is already local, so 00:30 on 1 January belongs
  // to the new year even though its instant is still 31 December in UTC.
  const { from, to, year } = rows.period
  const ofPeriod = rows.sessions.filter((s) => s.date >= from && s.date <= to)
  const held = ofPeriod.filter((s) => s.status === 'published' && s.ends_at <= now)
  const heldIds = new Set(held.map((s) => s.id))

  const sessionsByMode: Record<SessionMode, number> = { in_person: 0, videoconference: 0, hybrid: 0 }
  let hours = 0
  const perCommune = new Map<number, number>()
  for (const s of held) {
    sessionsByMode[s.mode]++
    hours += Math.max(0, minutes(s.end_time) - minutes(s.start_time)) / 60
    if (s.commune_id !== null) perCommune.set(s.commune_id, (perCommune.get(s.commune_id) ?? 0) + 1)
  }
  const communeName = new Map(rows.communes.map((c) => [c.id, c.name]))
  const communes = [...perCommune].map(([id, n]) => ({ name: communeName.get(id) ?? '?', sessions: n }))
    .sort((a, b) => b.sessions - a.sessions || byFrench.compare(a.name, b.name))
  const communesNever = rows.communes.filter((c) => !perCommune.has(c.id)).map((c) => c.name).sort(byFrench.compare)

  // A pitch counts once presented: confirmed on a session held (waiting, declined, withdrawn never were).
  const presented = rows.pitches.filter((p) => p.status === 'confirmed' && heldIds.has(p.session_id))
  const presentedIds = new Set(presented.map((p) => p.id))
  const holders = new Map(presented.map((p) => [p.holder_id, p]))
  // Keys come from the data: objects without a prototype, so no text can reach Object.prototype.
  const holdersByKind: Record<string, number> = Object.create(null)
  for (const h of holders.values()) holdersByKind[h.holder_kind] = (holdersByKind[h.holder_kind] ?? 0) + 1
  const earlier = new Set(rows.earlierHolderIds)
  const returningHolders = [...holders.keys()].filter((id) => earlier.has(id)).length
  const perHolderCommune = new Map<number | null, number>()
  for (const h of holders.values()) perHolderCommune.set(h.holder_commune_id, (perHolderCommune.get(h.holder_commune_id) ?? 0) + 1)
  const holdersByCommune = [...perHolderCommune].map(([id, n]) => ({ name: id === null ? '' : communeName.get(id) ?? '?', holders: n }))
    .sort((a, b) => Number(a.name === '') - Number(b.name === '') || b.holders - a.holders || byFrench.compare(a.name, b.name))

  const partners = partnerFigures(rows, heldIds)
  const adviceRows = rows.advice.filter((a) => presentedIds.has(a.pitch_id))
  const adviceBySource: Record<AdviceSource, number> = { written: 0, table: 0 }
  for (const a of adviceRows) adviceBySource[a.source]++
  const referralRows = rows.referrals.filter((r) => presentedIds.has(r.pitch_id))
  const referralsByStatus: Record<ReferralStatus, number> = { proposed: 0, contacted: 0, in_progress: 0, succeeded: 0, dropped: 0 }
  for (const r of referralRows) referralsByStatus[r.status]++
  const stages = stageFigures(presented, held, rows.records)
  const initiativesByDomain: Record<string, number> = Object.create(null)
  for (const p of new Map(presented.map((x) => [x.initiative_id, x])).values()) initiativesByDomain[p.domain ?? ''] = (initiativesByDomain[p.domain ?? ''] ?? 0) + 1

  return {
    year, from, to,
    sessionsHeld: held.length,
    sessionsCancelled: ofPeriod.filter((s) => s.status === 'cancelled').length,
    sessionsUpcoming: ofPeriod.filter((s) => s.status === 'published' && s.ends_at > now).length,
    sessionsByMode,
    hours: Math.round(hours * 100) / 100,
    communesVisited: perCommune.size,
    communes,
    communesNever,
    pitches: presented.length,
    distinctHolders: holders.size,
    holdersByKind,
    firstTimeHolders: holders.size - returningHolders,
    returningHolders,
    holdersByCommune,
    holderCommunes: [...perHolderCommune.keys()].filter((id) => id !== null).length,
    partnersInvited: partners.filter((p) => p.invited > 0).length,
    partnersPresent: partners.filter((p) => p.present > 0).length,
    partners,
    advice: adviceRows.length,
    adviceBySource,
    referrals: referralRows.length,
    referralsSucceeded: referralsByStatus.succeeded,
    referralsByStatus,
    referralsByPartner: referralsByPartner(referralRows, rows.partners),
    medianDaysToSucceeded: medianDays(referralRows, rows.referralSucceededEvents),
    initiativesByDomain,
    ...stages,
    // Targets are set per calendar year: another range has none.
    targets: year === null ? {} : Object.fromEntries(INDICATOR_KEYS.filter((k) => targets[k] !== undefined).map((k) => [k, targets[k]!])),
  }
}

function referralsByPartner(referrals: PeriodRows['referrals'], partners: PeriodRows['partners']) {
  const name = new Map(partners.map((p) => [p.id, p.name]))
  const out = new Map<number, { name: string; referrals: number; succeeded: number }>()
  for (const r of referrals) {
    let f = out.get(r.partner_id)
    if (!f) out.set(r.partner_id, (f = { name: name.get(r.partner_id) ?? '?', referrals: 0, succeeded: 0 }))
    f.referrals++
    if (r.status === 'succeeded') f.succeeded++
  }
  return [...out.values()].sort((a, b) => b.referrals - a.referrals || byFrench.compare(a.name, b.name))
}

/** Elapsed days between two instants (a duration, not a calendar step), to one decimal. */
function medianDays(referrals: PeriodRows['referrals'], events: PeriodRows['referralSucceededEvents']): number | null {
  const last = new Map<number, string>()
  for (const e of events) if ((last.get(e.referral_id) ?? '') < e.created_at) last.set(e.referral_id, e.created_at)
  const days = referrals.filter((r) => r.status === 'succeeded' && last.has(r.id))
    .map((r) => (Date.parse(last.get(r.id)!) - Date.parse(r.created_at)) / 86_400_000)
    .sort((a, b) => a - b)
  if (days.length === 0) return null
  const mid = Math.floor(days.length / 2)
  const median = days.length % 2 ? days[mid]! : (days[mid - 1]! + days[mid]!) / 2
  return Math.round(median * 10) / 10
}
