import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { type ImapTarget, imapTarget } from './poller.js'
import { findState, notAppliedReplies, outcomeCounts } from './store.js'

// What the facilitator's mail page ("Courriers") shows of the calendar answers: the poller's state (last
// successful check, the last error while the server is unreachable), how many answers were applied, and the
// messages Fabrik did not apply — left unread in the inbox for a person, or answering an older version.
// mail/ knows no feature: app.ts hands it repliesPanel as a function.

/** Why a message was not applied, in French. */
export const REASON_LABELS: Record<string, string> = {
  no_calendar: "message sans réponse d'agenda (écrit par une personne ?)",
  bad_calendar: "réponse d'agenda illisible",
  not_reply: "pièce d'agenda qui n'est pas une réponse",
  unknown_uid: "réponse à un évènement qui n'est pas une séance de Fabrik",
  occurrence: "réponse pour une seule occurrence d'un évènement répété",
  no_attendee: 'réponse sans participant identifiable',
  not_invited: "l'adresse qui répond n'a pas été invitée à cette séance",
  future_sequence: 'réponse à une version inconnue de la séance',
  unknown_partstat: 'réponse sans décision (ni oui, ni non, ni peut-être)',
  no_delegate: 'remplacement sans adresse du ou de la collègue',
  delegate_refused: 'remplacement refusé (même adresse, ou trop de remplacements)',
  bounce_unmatched: "avis de non-distribution qui ne correspond à aucune invitation",
  stale_sequence: 'réponse à une version antérieure de la séance (modifiée depuis) : non appliquée',
  session_closed: "séance commencée ou annulée : réponse non appliquée",
  superseded: 'une réponse plus récente (lien ou agenda) était déjà enregistrée',
}

export const PARTSTAT_LABELS: Record<string, string> = {
  ACCEPTED: 'accepte', DECLINED: 'refuse', TENTATIVE: 'peut-être', DELEGATED: 'se fait remplacer',
}

export interface RepliesPanel {
  enabled: boolean
  mailbox: string | null
  lastSuccessAt: string | null
  lastAttemptAt: string | null
  lastError: string | null
  nextAttemptAt: string | null
  applied: number
  unmatched: number
  notApplied: Awaited<ReturnType<typeof notAppliedReplies>>
  reasonLabels: Record<string, string>
  partstatLabels: Record<string, string>
}

/**
 * The mailbox a platform's answers are read from: its own (settings page), else the instance's REPLY_IMAP_URL;
 * null when neither is set. Its password is never part of what is shown.
 */
export function platformMailbox(ctx: AppContext, platform: Platform): { target: ImapTarget; own: boolean } | null {
  if (platform.reply_imap_url) return { target: imapTarget(platform.reply_imap_url), own: true }
  return ctx.config.replyImapUrl ? { target: imapTarget(ctx.config.replyImapUrl), own: false } : null
}

export async function repliesPanel(ctx: AppContext, db: Db, platform: Platform): Promise<RepliesPanel> {
  const base = { reasonLabels: REASON_LABELS, partstatLabels: PARTSTAT_LABELS }
  const box = platformMailbox(ctx, platform)
  if (!box) {
    return { ...base, enabled: false, mailbox: null, lastSuccessAt: null, lastAttemptAt: null, lastError: null, nextAttemptAt: null, applied: 0, unmatched: 0, notApplied: [] }
  }
  const { target } = box
  // The instance's mailbox may hold messages no platform could be found for: shown to the platforms reading it.
  const [state, mine, nobody, notApplied] = await Promise.all([
    findState(db, target.mailbox), outcomeCounts(db, platform.id), box.own ? null : outcomeCounts(db, null), notAppliedReplies(db, platform.id, !box.own),
  ])
  return {
    ...base, enabled: true, mailbox: `${target.user}@${target.host}`,
    lastSuccessAt: state?.last_success_at ?? null, lastAttemptAt: state?.last_attempt_at ?? null,
    lastError: state?.last_error ?? null, nextAttemptAt: state?.next_attempt_at ?? null,
    applied: mine.applied + mine.failing, unmatched: mine.unmatched + (nobody?.unmatched ?? 0), notApplied,
  }
}
