import { formatShortDate, todayIn } from '../calendar/zoned.js'
import { adviceAuthor } from '../partners/advice.js'
import { STAGES } from '../pitches/forms.js'
import { STATUS_LABELS } from '../referrals/status.js'
import type { JourneyFacts } from './queries.js'

// An initiative's journey (parcours) as a dated timeline, built from what queries.ts read: no database, no
// clock but the `now` handed in. Two readers: the facilitators see everything; the holder sees a shorter
// version of their own part — their pitches, the advice by organisation, their referrals' status changes and
// their stage changes — and nothing internal: no other holder, no partner's person, no referral note or who
// wrote it, no facilitator's summary.

export type Audience = { kind: 'facilitator' } | { kind: 'holder'; holderId: number }

export type EntryKind = 'registered' | 'pitch' | 'advice' | 'stage' | 'referral' | 'referral-note'

export interface Entry {
  kind: EntryKind
  /** ISO instant the entry sorts by. */
  at: string
  /** The platform's day of it, in French ("18/12/2026"). */
  day: string
  pitchId: number | null
  referralId: number | null
  title: string
  /** What was said or decided (advice, summary, next steps), one paragraph each. */
  details: string[]
  /** Facilitators only: who made a referral's change, and its note. */
  by: string | null
  note: string | null
}

const RANK: Record<EntryKind, number> = { registered: 0, pitch: 1, advice: 2, stage: 3, referral: 4, 'referral-note': 4 }

const stageLabel = (s: string | null) => (s ? STAGES[s as keyof typeof STAGES] ?? s : 'non précisé')

function pitchTitle(p: JourneyFacts['pitches'][number], now: string, named: boolean): string {
  const by = named ? ` par ${p.holderName}` : ''
  if (p.sessionStatus === 'cancelled') return `Séance annulée : le passage prévu${by} n'a pas eu lieu`
  switch (p.status) {
    case 'confirmed': return p.endsAt <= now ? `Présentée en séance${by}` : `Passage prévu en séance${by}`
    case 'pending': return `Inscription à valider${by}`
    case 'waiting': return `Sur liste d'attente${by}`
    case 'declined': return `Inscription non retenue${by}`
    default: return `Présentation retirée${by}`
  }
}

function eventBy(e: JourneyFacts['events'][number]): string {
  if (e.byKind === 'facilitator') return e.facilitatorName ?? "l'équipe d'animation"
  if (e.byKind === 'holder') return e.byName ? `${e.byName} (porteur)` : 'le porteur'
  return e.contactName ?? e.byName ?? 'le partenaire'
}

/** The journey's entries, oldest first, for one reader. */
export function buildJourney(facts: JourneyFacts, audience: Audience, zone: string, now: string): Entry[] {
  const staff = audience.kind === 'facilitator'
  const pitches = facts.pitches.filter((p) => staff || (audience.kind === 'holder' && p.holderId === audience.holderId))
  const byId = new Map(pitches.map((p) => [p.id, p]))
  const recordOf = new Map(facts.records.map((r) => [r.pitchId, r]))
  const referralOf = new Map(facts.referrals.map((r) => [r.id, r]))
  const entries: Array<Entry & { seq: number }> = []
  const add = (e: Omit<Entry, 'day' | 'by' | 'note' | 'details' | 'pitchId' | 'referralId'> & Partial<Entry>) => entries.push({
    pitchId: null, referralId: null, details: [], by: null, note: null, ...e, day: formatShortDate(todayIn(zone, new Date(e.at))), seq: entries.length,
  })

  add({ kind: 'registered', at: facts.initiative.createdAt, title: 'Initiative enregistrée sur la plateforme' })
  for (const p of pitches) {
    const r = recordOf.get(p.id)
    const details = [
      ...(staff && r?.summary ? [`Résumé : ${r.summary}`] : []),
      ...(r?.nextSteps ? [`Suites à donner : ${r.nextSteps}`] : []),
    ]
    add({ kind: 'pitch', at: p.startsAt, pitchId: p.id, title: pitchTitle(p, now, staff), details })
    if (r?.stageAfter && r.stageAfter !== r.stageBefore) {
      add({ kind: 'stage', at: p.startsAt, pitchId: p.id, title: `Stade : ${stageLabel(r.stageBefore)} → ${stageLabel(r.stageAfter)}` })
    }
  }
  for (const a of facts.advice) {
    const p = byId.get(a.pitchId)
    if (!p) continue
    const from = staff ? adviceAuthor(a) : a.organisation ?? 'un participant'
    add({ kind: 'advice', at: p.startsAt, pitchId: p.id, title: `${a.source === 'written' ? 'Avis écrit' : 'Conseil'} de ${from}`, details: [a.body] })
  }
  for (const e of facts.events) {
    const ref = referralOf.get(e.referralId)
    if (!ref) continue
    const p = byId.get(ref.pitchId)
    if (!p && !staff) continue
    if (e.status === null && !staff) continue
    // A referral made at the table sorts after its pitch even if the record was saved before the session began.
    const at = p && e.at < p.startsAt ? p.startsAt : e.at
    const to = staff && ref.contactName ? `${ref.organisation} (${ref.contactName})` : ref.organisation
    add({
      kind: e.status === null ? 'referral-note' : 'referral', at, pitchId: ref.pitchId, referralId: ref.id,
      title: e.status === null ? `Note sur l'orientation vers ${to} (« ${ref.subject} »)` : `Orientation vers ${to} (« ${ref.subject} ») : ${STATUS_LABELS[e.status]}`,
      by: staff ? eventBy(e) : null, note: staff ? e.note : null,
    })
  }
  return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0) || RANK[a.kind] - RANK[b.kind] || a.seq - b.seq)
    .map(({ seq: _seq, ...e }) => e)
}

/** The journey's header for facilitators: who carries it, its stage now, how many sessions. */
export function journeySummary(facts: JourneyFacts) {
  return {
    holders: facts.holders,
    stage: facts.initiative.stage ? stageLabel(facts.initiative.stage) : null,
    sessions: new Set(facts.pitches.filter((p) => p.status === 'confirmed' && p.sessionStatus !== 'cancelled').map((p) => p.date)).size,
    referrals: facts.referrals.length,
  }
}
