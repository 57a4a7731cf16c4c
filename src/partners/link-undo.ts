import type { AppContext } from '../context.js'
import { carryingState, type CarryingSelection, withdrawCarrying } from '../mail/hold.js'
import { findRetiredLink, unretireLink } from '../web/personal-links.js'
import { hashToken, personalToken } from '../web/tokens.js'
import type { InvitationRow } from './invitation-store.js'

// "Annuler" after "nouveau lien" (#24 §6): while the message carrying the new link waits in the outbox (its
// undo grace period, invitations.ts resendInvitation), the invitation gets its previous link back — the old
// token opens again (it leaves retired_link), the new one was never received and answers 404 like any unknown
// token — and the message is withdrawn. Once a message with the new link has left, the undo is refused.

export const LINK_LEFT = 'Le message avec le nouveau lien est déjà parti : l’ancien lien ne peut plus être rétabli.'
const NOTHING = 'Il n’y a pas d’ancien lien à rétablir pour cette invitation.'

type Invitation = Pick<InvitationRow, 'id' | 'session_id' | 'token_version'>

const newLinkMails = (inv: Invitation): CarryingSelection => ({ sessionId: inv.session_id, link: { purpose: 'rsvp', id: inv.id, version: inv.token_version } })

function previousHash(secret: string, inv: Invitation): string | null {
  return inv.token_version > 0 ? hashToken(personalToken(secret, 'rsvp', inv.id, inv.token_version - 1)) : null
}

export interface LinkUndoState {
  /** Why "Annuler" is not offered, or null. */
  refusal: string | null
  /** Whole minutes until the message leaves (at least 1), while it waits. */
  leavesInMinutes: number | null
}

/** Can the invitation's latest "nouveau lien" still be undone? */
export async function linkUndoState(ctx: AppContext, inv: Invitation): Promise<LinkUndoState> {
  const old = previousHash(ctx.config.sessionSecret, inv)
  const retired = old ? await findRetiredLink(ctx.db, old) : undefined
  if (!retired || retired.reason !== 'replaced') return { refusal: NOTHING, leavesInMinutes: null }
  const state = await carryingState(ctx.db, newLinkMails(inv))
  if (state.left > 0) return { refusal: LINK_LEFT, leavesInMinutes: null }
  const wait = state.leavesAt ? Date.parse(state.leavesAt) - ctx.clock().getTime() : null
  return { refusal: null, leavesInMinutes: wait === null ? null : Math.max(1, Math.ceil(wait / 60_000)) }
}

class Refused extends Error {}

/** Undoes the latest "nouveau lien" in one transaction; returns the refusal when it cannot be (nothing changed). */
export async function undoNewLink(ctx: AppContext, inv: Invitation): Promise<string | null> {
  const state = await linkUndoState(ctx, inv)
  if (state.refusal) return state.refusal
  const now = ctx.clock().toISOString()
  try {
    await ctx.db.transaction().execute(async (trx) => {
      // Withdrawn first: a worker that claimed the message meanwhile keeps it, and the undo is refused.
      await withdrawCarrying(trx, newLinkMails(inv))
      if ((await carryingState(trx, newLinkMails(inv))).left > 0) throw new Refused(LINK_LEFT)
      const version = inv.token_version - 1
      const hash = hashToken(personalToken(ctx.config.sessionSecret, 'rsvp', inv.id, version))
      const changed = await trx.updateTable('invitation').set({ token_version: version, token_hash: hash, updated_at: now })
        .where('id', '=', inv.id).where('token_version', '=', inv.token_version).executeTakeFirst()
      if (Number(changed.numUpdatedRows) !== 1) throw new Refused(NOTHING)
      await unretireLink(trx, hash)
    })
  } catch (error) {
    if (error instanceof Refused) return error.message
    throw error
  }
  return null
}
