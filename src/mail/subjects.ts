import { inSentence } from '../calendar/zoned.js'
import type { MailKind } from './kinds.js'

// Each mail kind's French subject. Beside compose.ts (which renders the message) rather than in kinds.ts, so
// that kinds.ts stays a list of keys and labels importing nothing, and no import circle joins the two.

/** What a subject may use: the session's time range and the platform's name (the day is given in a sentence). */
export type SubjectData = { platformName: string; session: { timeRange: string; longDate: string }; minutes?: { corrected: boolean } | null }

type SubjectBuilder = (data: SubjectData, day: string) => string

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
  'session.invitation-reminder': (_d, day) => `Rappel : merci de répondre à l'invitation pour la séance du ${day}`,
  // Referral mails carry the session of the pitch the referral came from.
  'referral.made': (_d, day) => `Une initiative vous est orientée (séance du ${day})`,
  'referral.reminder': (_d, day) => `Où en est l'orientation de la séance du ${day} ?`,
  'referral.updated': (_d, day) => `Votre orientation a avancé (séance du ${day})`,
  // A later version of sent minutes says so in its subject ("compte rendu corrigé").
  'session.minutes': (d, day) => `${d.minutes?.corrected ? 'Compte rendu corrigé' : 'Compte rendu'} de la séance du ${day}`,
  'pitch.minutes': (d, day) => `${d.minutes?.corrected ? 'Compte rendu corrigé' : 'Compte rendu'} de votre présentation (séance du ${day})`,
  // To a partner who sends a colleague: their calendar copy is withdrawn (CANCEL), their link still works.
  'session.delegated': (_d, day) => `Vous êtes remplacé·e à la séance du ${day}`,
}

/** The French subject, before header hygiene (compose.ts strips line breaks and controls). */
export function mailSubject(kind: MailKind, data: SubjectData): string {
  return `${SUBJECTS[kind](data, inSentence(data.session.longDate))} – ${data.platformName}`
}
