// Pure decisions about "Je me fais remplacer" (issue #25 §2): one RSVP link must not become a way to mail
// anyone, in any name, as often as one likes. No database, no clock.
// - One live delegation per invitation: naming someone else revokes the colleague named before.
// - A colleague nobody knows yet becomes a pending contact (invited to this session, absent from the
//   directory until a facilitator confirms them); a contact a facilitator deactivated is not invited.
// - The name typed for a new colleague goes into the To: header and "Bonjour …": plain letters only.
// - Caps: per invitation, and per organisation and day.

/** Colleagues one invitation may name, in all (changing one's mind a few times is fine). */
export const MAX_DELEGATIONS_PER_INVITATION = 5

/** Colleagues one organisation may name in one day (the platform's calendar day), over all its invitations. */
export const MAX_DELEGATIONS_PER_PARTNER_PER_DAY = 10

/** Longest name accepted for a colleague. */
export const MAX_DELEGATE_NAME = 80

// Letters (any script, with their combining accents), spaces, hyphens, apostrophes and full stops
// ("J.-P. O’Neill"), starting with a letter. Nothing a mail header or a greeting could be made to say
// something else with: no quotes, angle brackets, "=?utf-8?" encoded words, @, digits, emoji or line breaks.
const NAME = /^\p{L}[\p{L}\p{M} .'’-]*$/u

/** The name as kept: NFC, single spaces. */
export function cleanDelegateName(name: string): string {
  return name.normalize('NFC').replace(/\s+/g, ' ').trim()
}

/** Why the typed name of a colleague is refused, in French; null when it is fine. */
export function delegateNameProblem(name: string): string | null {
  const clean = cleanDelegateName(name)
  if ([...clean].length > MAX_DELEGATE_NAME) return `Le nom fait ${MAX_DELEGATE_NAME} caractères au plus.`
  if (!NAME.test(clean)) {
    return 'Indiquez seulement le prénom et le nom de votre collègue : des lettres, avec des espaces, des tirets ou des apostrophes entre les mots.'
  }
  return null
}

/** A contact of the organisation already known by the address typed. */
export interface NamedContact { id: number; active: boolean; pending: boolean }

export type DelegationPlan =
  /** The colleague named is already the live delegate: nothing to revoke, invite or count. */
  | { kind: 'unchanged' }
  /**
   * A new delegation: revoke these delegates' invitations; then `invite` says what to do with the colleague:
   * `new` (add them as a pending contact and invite them), `known` (invite them; a no-op if they already hold
   * their own invitation) or `inactive` (a facilitator deactivated them: not invited, shown to the facilitator).
   */
  | { kind: 'delegate'; revoke: number[]; invite: 'new' | 'known' | 'inactive' }

/**
 * `live`: the invitations this invitation's earlier delegations created (normally one at most).
 * `named`: the contact with the address typed, in the same organisation, if any.
 */
export function delegationPlan(live: Array<{ invitationId: number; contactId: number }>, named: NamedContact | null): DelegationPlan {
  if (named && live.length > 0 && live.every((d) => d.contactId === named.id)) return { kind: 'unchanged' }
  const revoke = live.filter((d) => d.contactId !== named?.id).map((d) => d.invitationId)
  if (!named) return { kind: 'delegate', revoke, invite: 'new' }
  return { kind: 'delegate', revoke, invite: named.active || named.pending ? 'known' : 'inactive' }
}

export type DelegationCap = 'invitation' | 'partner'

/** The French refusal when a cap is reached; `contact` names whom to write to. */
export function delegationCapMessage(cap: DelegationCap, contact: string): string {
  return cap === 'invitation'
    ? `Vous avez déjà désigné ${MAX_DELEGATIONS_PER_INVITATION} personnes pour vous remplacer à cette séance : pour en désigner une autre, écrivez à ${contact}.`
    : `Votre organisation a désigné aujourd'hui ${MAX_DELEGATIONS_PER_PARTNER_PER_DAY} personnes pour remplacer des invités : réessayez demain, ou écrivez à ${contact}.`
}

/**
 * What the facilitator's table says of the colleague an invitation named: `inactive` — a deactivated
 * contact, not invited (reactivate them to invite them); `pending` — invited, to confirm in the directory.
 */
export function delegateState(row: { answer: string; delegateActive: number | null; delegatePending: number | null; delegateInvited: boolean }): 'inactive' | 'pending' | null {
  if (row.answer !== 'delegate' || row.delegateActive === null) return null
  if (row.delegatePending) return 'pending'
  if (!row.delegateActive && !row.delegateInvited) return 'inactive'
  return null
}
