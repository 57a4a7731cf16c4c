import { inSentence } from '../calendar/zoned.js'
import type { MailData } from './compose.js'

// Every mail kind's stable dotted key: it names the template (views/mail/<key>.html.eta, .txt.eta), fills
// the outbox `kind` column and appears in tests. Keys never change once a message carries them.

export const MAIL_KINDS = [
  'session.invitation',
  'session.updated',
  'session.cancelled',
  'session.reminder',
  'session.uninvited',
  'pitch.received',
  'pitch.confirmed',
  'pitch.waiting',
  'pitch.promoted',
  'pitch.declined',
  'pitch.moved',
  'pitch.withdrawn',
  'pitch.slot',
  'pitch.verify',
  'pitch.link',
  'pitch.revisit',
  'session.invitation-reminder',
  'referral.made',
  'referral.reminder',
  'referral.updated',
] as const

export type MailKind = (typeof MAIL_KINDS)[number]

export function isMailKind(value: string): value is MailKind {
  return (MAIL_KINDS as readonly string[]).includes(value)
}

/**
 * Mails about a facilitator's account, not about a session (platforms/accounts.ts renders them):
 * their own templates, the same outbox. Never shown on a platform's Courriers page (platform_id null), since
 * they carry a one-time link to the account.
 */
export const ACCOUNT_MAIL_KINDS = ['facilitator.reset', 'facilitator.invitation'] as const

export type AccountMailKind = (typeof ACCOUNT_MAIL_KINDS)[number]

/** What the outbox `kind` column holds. */
export type OutboxKind = MailKind | AccountMailKind

/** What the facilitator's mail page calls each kind. */
export const KIND_LABELS: Record<MailKind, string> = {
  'session.invitation': 'Invitation à la séance',
  'session.updated': 'Séance modifiée',
  'session.cancelled': 'Séance annulée',
  'session.reminder': 'Rappel de séance',
  'session.uninvited': 'Invitation retirée',
  'pitch.received': 'Demande de présentation reçue',
  'pitch.confirmed': 'Présentation confirmée',
  'pitch.waiting': "Présentation en liste d'attente",
  'pitch.promoted': "Présentation confirmée depuis la liste d'attente",
  'pitch.declined': 'Présentation non retenue',
  'pitch.moved': 'Présentation déplacée',
  'pitch.withdrawn': 'Présentation retirée',
  'pitch.slot': 'Nouvel horaire de passage',
  'pitch.verify': 'Réservation à confirmer',
  'pitch.link': 'Lien personnel renvoyé',
  'pitch.revisit': 'Proposition de revenir présenter',
  'session.invitation-reminder': 'Relance : invitation sans réponse',
  'referral.made': 'Orientation vers un partenaire',
  'referral.reminder': "Relance d'une orientation",
  'referral.updated': 'Orientation mise à jour',
}


type SubjectBuilder = (data: MailData, day: string) => string

const SUBJECTS: Record<MailKind, SubjectBuilder> = {
  'session.invitation': (d, day) => `Invitation : séance du ${day} (${d.session.timeRange})`,
  'session.updated': (_d, day) => `Changement pour la séance du ${day}`,
  'session.cancelled': (_d, day) => `Annulation : la séance du ${day} n'aura pas lieu`,
  'session.reminder': (d, day) => `Rappel : séance du ${day}, ${d.session.timeRange}`,
  'session.uninvited': (_d, day) => `Votre invitation à la séance du ${day} est retirée`,
  'pitch.received': (_d, day) => `Votre demande de présentation est bien reçue (séance du ${day})`,
  'pitch.confirmed': (_d, day) => `Votre présentation est confirmée pour la séance du ${day}`,
  'pitch.waiting': (_d, day) => `Liste d'attente pour la séance du ${day}`,
  'pitch.promoted': (_d, day) => `Une place s'est libérée : vous présentez le ${day}`,
  'pitch.declined': (_d, day) => `Votre demande de présentation pour la séance du ${day}`,
  'pitch.moved': (_d, day) => `Votre présentation est déplacée à la séance du ${day}`,
  'pitch.withdrawn': (_d, day) => `Votre présentation du ${day} est retirée`,
  'pitch.slot': (_d, day) => `Nouvel horaire de passage pour la séance du ${day}`,
  'pitch.verify': (_d, day) => `Confirmez votre réservation pour la séance du ${day}`,
  'pitch.link': (_d, day) => `Votre lien personnel pour la séance du ${day}`,
  // The offered (later) session is data.session.
  'pitch.revisit': (_d, day) => `Revenir présenter votre initiative à la séance du ${day}`,
  'session.invitation-reminder': (_d, day) => `Relance : votre réponse pour la séance du ${day}`,
  // Referral mails carry the session of the pitch the referral came from.
  'referral.made': (_d, day) => `Une initiative vous est orientée (séance du ${day})`,
  'referral.reminder': (_d, day) => `Où en est l'orientation de la séance du ${day} ?`,
  'referral.updated': (_d, day) => `Votre orientation a avancé (séance du ${day})`,
}

/** The French subject, before header hygiene (compose.ts strips line breaks and controls). */
export function mailSubject(kind: MailKind, data: MailData): string {
  return `${SUBJECTS[kind](data, inSentence(data.session.longDate))} – ${data.platformName}`
}
