import type { Db, OutboxRow } from '../db/schema.js'
import { BODY_RETENTION_DAYS } from './outbox.js'

// "Renvoyer": whether a failed message may go out again as it was written. A calendar message must not
// put an outdated event into someone's calendar (a REQUEST after the session's CANCEL, or an old date), so
// it is refused when a newer message of its thread exists or its session no longer says what it says.

/**
 * What the session of a calendar message says now, compared with the message: `current` (the event it
 * carries is still the session's, apart from SEQUENCE and DTSTAMP), `changed`, `cancelled` (the session
 * was cancelled since), `gone` (no such session). Handed in by app.ts: mail/ knows no feature.
 */
export type CalendarState = 'current' | 'changed' | 'cancelled' | 'gone'
export type CalendarCheck = (db: Db, row: OutboxRow) => Promise<CalendarState>

export interface ResendFacts {
  /** A newer message of the same thread (person and session) exists. */
  newerInThread: boolean
  /** For a calendar message: what its session says now; null otherwise. */
  calendar: CalendarState | null
}

/** Partner contacts get the up-to-date invitation with "nouveau lien" (partners page); holders are told directly. */
function howToTell(threadKey: string | null): string {
  return /:contact:\d+$/.test(threadKey ?? '')
    ? 'Pour lui envoyer l’invitation à jour, utilisez « nouveau lien » sur la page des partenaires de la séance.'
    : 'Prévenez cette personne directement.'
}

/** The French reason a message cannot be sent again, or null when it can. */
export function resendRefusal(row: Pick<OutboxRow, 'status' | 'text_body' | 'ical_method' | 'thread_key'>, facts: ResendFacts): string | null {
  if (row.text_body === '') {
    return `Ce courrier ne peut plus être renvoyé : son contenu a été effacé, comme celui de tous les courriers de plus de ${BODY_RETENTION_DAYS} jours.`
  }
  if (row.status === 'superseded' || facts.newerInThread) {
    return 'Ce courrier ne peut plus être renvoyé : un courrier plus récent a été adressé à cette personne pour cette séance, et celui-ci lui donnerait une information dépassée.'
  }
  if (row.status !== 'failed') return 'Seul un courrier en échec peut être renvoyé.'
  switch (facts.calendar) {
    case 'gone':
      return "Ce courrier ne peut plus être renvoyé : sa séance n'existe plus."
    case 'cancelled':
      if (row.ical_method === 'REQUEST') return 'Ce courrier ne peut plus être renvoyé : la séance a été annulée depuis, et cette invitation la remettrait dans l’agenda de la personne.'
      return null
    case 'changed':
      return `Ce courrier ne peut plus être renvoyé : la séance a changé depuis (date, horaire, lieu ou visioconférence), et il donnerait une information dépassée. ${howToTell(row.thread_key)}`
    default:
      return null
  }
}
