// Every mail kind's stable dotted key: it names the template (views/mail/<key>.html.eta, .txt.eta), fills
// the outbox `kind` column and appears in tests. Keys never change once a message carries them. A new kind
// also needs its label below and its subject in subjects.ts. This file imports nothing.

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
  'session.minutes',
  'pitch.minutes',
  'session.delegated',
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

/**
 * Mails about personal data (privacy/ renders them, with their own templates): a person's export sent to
 * their own address ("Mes données" on their link), and the facilitators' notice of the next retention run.
 */
export const PRIVACY_MAIL_KINDS = ['person.export', 'retention.notice'] as const

export type PrivacyMailKind = (typeof PRIVACY_MAIL_KINDS)[number]

/** What the outbox `kind` column holds. */
export type OutboxKind = MailKind | AccountMailKind | PrivacyMailKind

/** What the facilitator's mail page calls each kind a platform's Courriers page lists. */
export const KIND_LABELS: Record<MailKind | PrivacyMailKind, string> = {
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
  'session.minutes': 'Compte rendu de séance (partenaires)',
  'pitch.minutes': 'Compte rendu de sa présentation (porteur)',
  'session.delegated': 'Remplacé·e par un collègue',
  'person.export': 'Ses données personnelles, à sa demande',
  'retention.notice': 'Annonce des prochains effacements (durée de conservation)',
}
