import { DateTime } from 'luxon'
import type { Answer, SessionMode, SessionStatus } from '../db/schema.js'
import { frCollator } from '../platforms/names.js'

// Pure decisions about invitations: what a partner's link still allows, who comes, and whether the room is
// big enough. No database, no clock: `now` is handed in.

/** A partner's link stays readable this long after the session's end (minutes, written advice). */
export const LINK_DAYS_AFTER_SESSION = 30

export const ANSWER_VALUES = ['on_site', 'remote', 'declined', 'delegate'] as const

/** What the partner clicks on their link. */
export const ANSWER_CHOICES: Record<(typeof ANSWER_VALUES)[number], string> = {
  on_site: 'Je viens sur place',
  remote: 'Je participe à distance',
  declined: 'Je ne peux pas venir',
  delegate: 'Je me fais remplacer',
}

/** How an answer reads to the partner afterwards and to colleagues of the same organisation. */
export const ANSWER_LABELS: Record<Answer, string> = {
  none: 'Pas encore de réponse',
  on_site: 'Vient sur place',
  remote: 'Participe à distance',
  declined: 'Ne peut pas venir',
  delegate: 'Se fait remplacer',
  // Only from a calendar's "Peut-être" (replies/): counted with those who have not answered yet.
  tentative: 'Peut-être',
}

// A session switched to videoconference keeps its partners' answers (it may come back on site), but
// nobody can come on site to it: "sur place" then reads, counts and is offered as remote.
const remoteOnly = (mode: SessionMode) => mode === 'videoconference'

/** How an answer reads for a session held in `mode`. */
export function answerLabel(answer: Answer, mode: SessionMode): string {
  return answer === 'on_site' && remoteOnly(mode) ? 'Participe à distance (la séance se tient en visioconférence)' : ANSWER_LABELS[answer]
}

/** The answers the partner is offered: no "sur place" for a session held by videoconference. */
export function answerChoices(mode: SessionMode): Partial<typeof ANSWER_CHOICES> {
  if (!remoteOnly(mode)) return ANSWER_CHOICES
  const { on_site: _onSite, ...rest } = ANSWER_CHOICES
  return rest
}

/** Why an answer cannot be taken for a session held in `mode`, in French; null when it can. */
export function answerModeProblem(answer: Answer, mode: SessionMode): string | null {
  return answer === 'on_site' && remoteOnly(mode)
    ? 'La séance se tient en visioconférence : choisissez « Je participe à distance ».'
    : null
}

/** The instant after which a session's RSVP links answer 410 "expiré" (earlier versions always do). */
export function linkEndsAt(sessionEndsAt: string): string {
  return DateTime.fromISO(sessionEndsAt, { zone: 'utc' }).plus({ days: LINK_DAYS_AFTER_SESSION }).toISO()!
}

export function linksExpired(sessionEndsAt: string, now: Date): boolean {
  return now.getTime() > Date.parse(linkEndsAt(sessionEndsAt))
}

export interface SessionTiming { status: SessionStatus; starts_at: string; ends_at: string }

/**
 * What the link offers: the answer form until the session starts, written advice from its start on.
 * A cancelled (or unpublished) session takes neither.
 */
export function answerWindow(session: SessionTiming, now: Date): 'answer' | 'advice' | 'closed' {
  if (session.status !== 'published') return 'closed'
  return now.toISOString() < session.starts_at ? 'answer' : 'advice'
}

/** Why a session cannot take invitations (or a "relancer"), in French; null when it can. */
export function inviteRefusal(session: SessionTiming, now: Date, action: 'invite' | 'remind' = 'invite'): string | null {
  const verb = action === 'invite' ? 'y inviter' : 'relancer les partenaires'
  if (session.status === 'draft') return `Publiez d'abord la séance : on ne peut ${verb} qu'une fois la séance publiée.`
  if (session.status === 'cancelled') return `Cette séance est annulée : on ne peut plus ${verb}.`
  if (session.starts_at <= now.toISOString()) return `Cette séance a commencé ou est passée : on ne peut plus ${verb}.`
  return null
}

export type AttendanceColumn = 'onSite' | 'remote' | 'excused' | 'none'

export const COLUMN_LABELS: Record<AttendanceColumn, string> = {
  onSite: 'Sur place',
  remote: 'À distance',
  excused: 'Excusé·e',
  none: 'Sans réponse',
}

/** Sending a colleague excuses the person who was invited; the colleague answers on their own invitation. */
export function columnOf(answer: Answer, mode: SessionMode = 'in_person'): AttendanceColumn {
  switch (answer) {
    case 'on_site': return remoteOnly(mode) ? 'remote' : 'onSite'
    case 'remote': return 'remote'
    case 'declined':
    case 'delegate': return 'excused'
    default: return 'none'
  }
}

export interface AttendanceEntry {
  invitationId: number
  partnerId: number
  partnerName: string
  contactName: string
  answer: Answer
  comment: string | null
  delegateName: string | null
  /** The colleague who sent this person in their place. */
  delegatedBy: string | null
  remindedAt: string | null
  /** Of the colleague this person named: not invited (deactivated contact), or invited but to confirm. */
  delegateState?: 'inactive' | 'pending' | null
}

export interface AttendanceGroup {
  partnerId: number
  partnerName: string
  columns: Record<AttendanceColumn, AttendanceEntry[]>
}

export interface AttendanceTable {
  groups: AttendanceGroup[]
  totals: Record<AttendanceColumn, number>
  /** People coming on site. */
  headcount: number
  capacity: number | null
  overCapacity: boolean
}

const emptyColumns = (): Record<AttendanceColumn, AttendanceEntry[]> => ({ onSite: [], remote: [], excused: [], none: [] })

const byContactName = (a: AttendanceEntry, b: AttendanceEntry) => frCollator.compare(a.contactName, b.contactName)

/**
 * The per-session table: one row per organisation, people sorted by name, headcount against the room (none
 * for a session held by videoconference: nobody sits in its room, "sur place" answers count as remote).
 * People are put in their cell first and each cell is sorted on its own: the same order as sorting everyone
 * (a stable sort keeps the order of the entries handed in among equal names), with far fewer comparisons —
 * the collator is what a session with hundreds of invitations spends its time on.
 */
export function attendanceTable(entries: AttendanceEntry[], roomCapacity: number | null, mode: SessionMode = 'in_person'): AttendanceTable {
  const capacity = remoteOnly(mode) ? null : roomCapacity
  const groups = new Map<number, AttendanceGroup>()
  const totals = { onSite: 0, remote: 0, excused: 0, none: 0 }
  for (const e of entries) {
    let g = groups.get(e.partnerId)
    if (!g) groups.set(e.partnerId, (g = { partnerId: e.partnerId, partnerName: e.partnerName, columns: emptyColumns() }))
    const column = columnOf(e.answer, mode)
    g.columns[column].push(e)
    totals[column]++
  }
  for (const g of groups.values()) {
    for (const cell of Object.values(g.columns)) if (cell.length > 1) cell.sort(byContactName)
  }
  const headcount = totals.onSite
  return {
    groups: [...groups.values()].sort((a, b) => frCollator.compare(a.partnerName, b.partnerName)),
    totals,
    headcount,
    capacity,
    overCapacity: capacity !== null && headcount > capacity,
  }
}

export interface ParticipationRow {
  sessionId: number
  date: string
  status: SessionStatus
  contactName: string
  answer: Answer
}

export interface SessionParticipation {
  sessionId: number
  date: string
  status: SessionStatus
  people: Array<{ contactName: string; answer: Answer }>
  /** Someone of the organisation said they would come, on site or remotely. */
  present: boolean
}

/** An organisation over a year: each session it was invited to, who answered what; cancelled sessions do not count. */
export function participation(rows: ParticipationRow[]): { sessions: SessionParticipation[]; invited: number; present: number } {
  const bySession = new Map<number, SessionParticipation>()
  for (const r of [...rows].sort((a, b) => a.date.localeCompare(b.date) || frCollator.compare(a.contactName, b.contactName))) {
    let s = bySession.get(r.sessionId)
    if (!s) bySession.set(r.sessionId, (s = { sessionId: r.sessionId, date: r.date, status: r.status, people: [], present: false }))
    s.people.push({ contactName: r.contactName, answer: r.answer })
    if (r.answer === 'on_site' || r.answer === 'remote') s.present = true
  }
  const sessions = [...bySession.values()]
  const held = sessions.filter((s) => s.status !== 'cancelled')
  return { sessions, invited: held.length, present: held.filter((s) => s.present).length }
}

export interface InvitationMailRow {
  invitationId: number
  mailId: number
  status: string
  error: string | null
  sentAt: string | null
  /** The invitation's address was reported failing by a delivery report (replies/), and why. */
  bouncedAt: string | null
  bounce: string | null
}

export interface UndeliveredInvitation {
  /** The latest invitation mail, to open (and resend) on the Courriers page. */
  mailId: number
  reason: string
}

/**
 * The invitations whose latest mail did not reach its reader: the mail worker gave up on it (status failed),
 * or a delivery report marked the address failing after it left (a mail sent since the report may well
 * arrive: it is not flagged). `rows` in outbox order (oldest first).
 */
export function undeliveredInvitations(rows: InvitationMailRow[]): Record<number, UndeliveredInvitation> {
  const latest = new Map<number, InvitationMailRow>()
  for (const r of rows) latest.set(r.invitationId, r)
  const out: Record<number, UndeliveredInvitation> = {}
  for (const [id, r] of latest) {
    if (r.status === 'failed') out[id] = { mailId: r.mailId, reason: r.error ? `envoi abandonné (${r.error})` : 'envoi abandonné' }
    else if (r.bouncedAt && r.status === 'sent' && r.sentAt !== null && r.bouncedAt >= r.sentAt) out[id] = { mailId: r.mailId, reason: r.bounce ? `revenu en erreur (${r.bounce})` : 'revenu en erreur' }
  }
  return out
}
