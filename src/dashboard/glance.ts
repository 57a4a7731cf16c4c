import type { Answer, PitchStatus, SessionMode } from '../db/schema.js'
import type { GlanceInvitation, GlanceMail, GlancePitch } from './queries.js'

// Pure: the next session at a glance, from the rows queries.ts read: its pitches and free slots, the
// partners' answers by kind, and what failed to reach people (bounced invitations, mails given up on).

/** The answer kinds the home counts, in the order it shows them. */
export const ANSWER_KINDS = ['on_site', 'remote', 'declined', 'none', 'tentative', 'delegate'] as const
export type AnswerKind = (typeof ANSWER_KINDS)[number]

export const ANSWER_KIND_LABELS: Record<AnswerKind, string> = {
  on_site: 'sur place',
  remote: 'à distance',
  declined: 'ne vient pas',
  none: 'pas de réponse',
  tentative: 'peut-être',
  delegate: 'se fait remplacer',
}

const PITCH_STATUS_LABELS: Partial<Record<PitchStatus, string>> = { confirmed: 'Confirmée', pending: 'À valider', waiting: "Liste d'attente" }

export interface Glance {
  sessionId: number
  pitches: Array<{ title: string; holderName: string; status: PitchStatus; statusLabel: string }>
  /** Bookings that hold a slot (confirmed or awaiting validation). */
  held: number
  waiting: number
  freeSlots: number
  invited: number
  answers: Record<AnswerKind, number>
  bounced: Array<{ contactName: string; partnerName: string; failure: string }>
  failedMails: Array<{ id: number; toName: string; subject: string; error: string | null }>
}

/** How an answer counts for a session in `mode`: nobody comes on site to a videoconference. */
export function answerKind(answer: Answer, mode: SessionMode): AnswerKind {
  return answer === 'on_site' && mode === 'videoconference' ? 'remote' : answer
}

export function glanceOf(session: { id: number; pitch_slots: number; mode: SessionMode },
  facts: { pitches: GlancePitch[]; invitations: GlanceInvitation[]; mails: GlanceMail[] }): Glance {
  const pitches = facts.pitches.filter((p) => p.session_id === session.id)
  const invitations = facts.invitations.filter((i) => i.session_id === session.id)
  const answers = Object.fromEntries(ANSWER_KINDS.map((k) => [k, 0])) as Record<AnswerKind, number>
  for (const i of invitations) answers[answerKind(i.answer, session.mode)]++
  const held = pitches.filter((p) => p.status !== 'waiting').length
  return {
    sessionId: session.id,
    pitches: pitches.map((p) => ({ title: p.title, holderName: p.holder_name, status: p.status, statusLabel: PITCH_STATUS_LABELS[p.status] ?? p.status })),
    held,
    waiting: pitches.length - held,
    freeSlots: Math.max(0, session.pitch_slots - held),
    invited: invitations.length,
    answers,
    bounced: invitations.filter((i) => i.address_failed_at !== null)
      .map((i) => ({ contactName: i.contact_name, partnerName: i.partner_name, failure: i.address_failure ?? 'adresse en échec' })),
    failedMails: facts.mails.filter((m) => m.session_id === session.id)
      .map((m) => ({ id: m.id, toName: m.to_name, subject: m.subject, error: m.last_error })),
  }
}

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`

/** The answers that were given, in words ("3 sur place, 1 à distance, 2 pas de réponse"). */
export function answersInWords(answers: Record<AnswerKind, number>): string {
  const parts = ANSWER_KINDS.filter((k) => answers[k] > 0).map((k) => `${answers[k]} ${ANSWER_KIND_LABELS[k]}`)
  return parts.length ? parts.join(', ') : 'aucun partenaire invité'
}

/** One line for the list of platforms: "2 présentations, 1 créneau libre ; 3 sur place… ; 1 courrier en échec". */
export function summaryLine(g: Glance): string {
  const failures = g.bounced.length + g.failedMails.length
  return [
    `${plural(g.held, 'présentation', 'présentations')}, ${plural(g.freeSlots, 'créneau libre', 'créneaux libres')}`,
    answersInWords(g.answers),
    ...(failures ? [plural(failures, 'courrier en échec', 'courriers en échec')] : []),
  ].join(' ; ')
}
