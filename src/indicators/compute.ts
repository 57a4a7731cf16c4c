import type { AdviceSource, PitchStatus, Presence, ReferralStatus, SessionMode, SessionStatus } from '../db/schema.js'
import { nameKey } from '../platforms/names.js'
import { INDICATOR_KEYS, type IndicatorKey, type Targets } from './keys.js'

// The year's figures, computed from the rows of that year (queries.ts loads them). Pure: the clock is handed
// in, so "held" (a published session whose end has passed) is decided here and tested.

export interface YearRows {
  year: number
  /** Published and cancelled sessions; `date` is the platform's wall-clock date (its time zone). */
  sessions: Array<{ id: number; date: string; start_time: string; end_time: string; ends_at: string; status: SessionStatus; mode: SessionMode; commune_id: number | null }>
  communes: Array<{ id: number; name: string }>
  pitches: Array<{ id: number; session_id: number; holder_id: number; status: PitchStatus; holder_kind: string; initiative_id: number; domain: string | null; stage: string | null }>
  /** Holders who presented at a session held before this year (first-time vs returning). */
  earlierHolderIds: number[]
  attendance: Array<{ session_id: number; partner_id: number | null; organisation: string | null; presence: Presence; holder_id: number | null }>
  /** One row per invitation: the session and the invited contact's organisation. */
  invitations: Array<{ session_id: number; partner_id: number }>
  partners: Array<{ id: number; name: string; name_key: string }>
  advice: Array<{ pitch_id: number; source: AdviceSource }>
  referrals: Array<{ id: number; pitch_id: number; partner_id: number; status: ReferralStatus; created_at: string }>
  /** The 'succeeded' events of those referrals (a referral reopened has one, and a later status). */
  referralSucceededEvents: Array<{ referral_id: number; created_at: string }>
}

export interface PartnerFigures { name: string; invited: number; present: number; onSite: number; remote: number; known: boolean }

export interface Indicators extends Record<IndicatorKey, number> {
  year: number
  sessionsUpcoming: number
  sessionsByMode: Record<SessionMode, number>
  /** Hours of roundtable at the sessions held (their planned times). */
  hours: number
  communes: Array<{ name: string; sessions: number }>
  communesNever: string[]
  holdersByKind: Record<string, number>
  firstTimeHolders: number
  returningHolders: number
  partners: PartnerFigures[]
  adviceBySource: Record<AdviceSource, number>
  referralsByStatus: Record<ReferralStatus, number>
  /** Per receiving organisation: referrals made, and how many are "aboutie". */
  referralsByPartner: Array<{ name: string; referrals: number; succeeded: number }>
  /** Median days from a referral to its (last) "aboutie", over the referrals aboutie now; null if none. */
  medianDaysToSucceeded: number | null
  /** Distinct initiatives presented, by domain and by stage ('' when not said). */
  initiativesByDomain: Record<string, number>
  initiativesByStage: Record<string, number>
  targets: Targets
}

const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))
const byFrench = new Intl.Collator('fr', { sensitivity: 'base' })

export function computeIndicators(rows: YearRows, now: string, targets: Targets = {}): Indicators {
  // The year is the platform's calendar year: a session's date is already local, so 00:30 on 1 January
  // belongs to the new year even though its instant is still 31 December in UTC.
  const ofYear = rows.sessions.filter((s) => s.date.startsWith(`${rows.year}-`))
  const held = ofYear.filter((s) => s.status === 'published' && s.ends_at <= now)
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
  const holderKind = new Map(presented.map((p) => [p.holder_id, p.holder_kind]))
  // Keys come from the data: objects without a prototype, so no text can reach Object.prototype.
  const holdersByKind: Record<string, number> = Object.create(null)
  for (const kind of holderKind.values()) holdersByKind[kind] = (holdersByKind[kind] ?? 0) + 1
  const earlier = new Set(rows.earlierHolderIds)
  const returningHolders = [...holderKind.keys()].filter((id) => earlier.has(id)).length

  const partners = partnerFigures(rows, heldIds)
  const adviceRows = rows.advice.filter((a) => presentedIds.has(a.pitch_id))
  const adviceBySource: Record<AdviceSource, number> = { written: 0, table: 0 }
  for (const a of adviceRows) adviceBySource[a.source]++
  const referralRows = rows.referrals.filter((r) => presentedIds.has(r.pitch_id))
  const referralsByStatus: Record<ReferralStatus, number> = { proposed: 0, contacted: 0, in_progress: 0, succeeded: 0, dropped: 0 }
  for (const r of referralRows) referralsByStatus[r.status]++
  const initiatives = new Map(presented.map((p) => [p.initiative_id, p]))
  const tally = (values: Array<string | null>) => {
    const out: Record<string, number> = Object.create(null)
    for (const v of values) out[v ?? ''] = (out[v ?? ''] ?? 0) + 1
    return out
  }

  return {
    year: rows.year,
    sessionsHeld: held.length,
    sessionsCancelled: ofYear.filter((s) => s.status === 'cancelled').length,
    sessionsUpcoming: ofYear.filter((s) => s.status === 'published' && s.ends_at > now).length,
    sessionsByMode,
    hours: Math.round(hours * 100) / 100,
    communesVisited: perCommune.size,
    communes,
    communesNever,
    pitches: presented.length,
    distinctHolders: holderKind.size,
    holdersByKind,
    firstTimeHolders: holderKind.size - returningHolders,
    returningHolders,
    partnersPresent: partners.filter((p) => p.present > 0).length,
    partners,
    advice: adviceRows.length,
    adviceBySource,
    referrals: referralRows.length,
    referralsSucceeded: referralsByStatus.succeeded,
    referralsByStatus,
    referralsByPartner: referralsByPartner(referralRows, rows.partners),
    medianDaysToSucceeded: medianDays(referralRows, rows.referralSucceededEvents),
    initiativesByDomain: tally([...initiatives.values()].map((p) => p.domain)),
    initiativesByStage: tally([...initiatives.values()].map((p) => p.stage)),
    targets: Object.fromEntries(INDICATOR_KEYS.filter((k) => targets[k] !== undefined).map((k) => [k, targets[k]!])),
  }
}

/**
 * Organisations invited and present at the sessions held. A walk-in's organisation (no partner_id) is one
 * organisation however its name is typed ("Mission locale", "MISSION  LOCALE"), and the known partner itself
 * when the name is that partner's.
 */
function partnerFigures(rows: YearRows, heldIds: Set<number>): PartnerFigures[] {
  const byKey = new Map(rows.partners.map((p) => [p.name_key, p.id]))
  const name = new Map(rows.partners.map((p) => [p.id, p.name]))
  const figures = new Map<string, PartnerFigures & { invitedAt: Set<number>; presentAt: Set<number> }>()
  const entry = (key: string, label: string, known: boolean) => {
    let f = figures.get(key)
    if (!f) figures.set(key, (f = { name: label, invited: 0, present: 0, onSite: 0, remote: 0, known, invitedAt: new Set(), presentAt: new Set() }))
    return f
  }
  for (const i of rows.invitations) {
    if (heldIds.has(i.session_id)) entry(`p${i.partner_id}`, name.get(i.partner_id) ?? '?', true).invitedAt.add(i.session_id)
  }
  const onSite = new Set<string>()
  const remote = new Set<string>()
  for (const a of rows.attendance) {
    if (!heldIds.has(a.session_id) || a.presence === 'absent') continue
    let key: string
    let f: PartnerFigures & { presentAt: Set<number> }
    const walkIn = a.organisation ? nameKey(a.organisation) : ''
    const partnerId = a.partner_id ?? (walkIn ? byKey.get(walkIn) ?? null : null)
    if (partnerId !== null) f = entry((key = `p${partnerId}`), name.get(partnerId) ?? '?', true)
    else if (walkIn) f = entry((key = `o${walkIn}`), a.organisation!.trim(), false)
    else continue // a holder or a person on their own: not an organisation
    f.presentAt.add(a.session_id)
    // Several people of one organisation at one session: the organisation was there once, on site if any was.
    ;(a.presence === 'on_site' ? onSite : remote).add(`${key} ${a.session_id}`)
  }
  for (const [key, f] of figures) {
    f.invited = f.invitedAt.size
    f.present = f.presentAt.size
    f.onSite = [...f.presentAt].filter((s) => onSite.has(`${key} ${s}`)).length
    f.remote = f.present - f.onSite
  }
  return [...figures.values()]
    .map(({ invitedAt: _i, presentAt: _p, ...f }) => f)
    .sort((a, b) => b.present - a.present || byFrench.compare(a.name, b.name))
}

function referralsByPartner(referrals: YearRows['referrals'], partners: YearRows['partners']) {
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
function medianDays(referrals: YearRows['referrals'], events: YearRows['referralSucceededEvents']): number | null {
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
