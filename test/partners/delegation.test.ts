import { describe, expect, it } from 'vitest'
import {
  cleanDelegateName, delegateNameProblem, delegateState, delegationCapMessage, delegationPlan, MAX_DELEGATIONS_PER_INVITATION,
  MAX_DELEGATIONS_PER_PARTNER_PER_DAY,
} from '../../src/partners/delegation.js'
import { answerForm } from '../../src/partners/forms.js'

describe("the colleague's name", () => {
  it('takes names in any script, with hyphens, apostrophes and initials', () => {
    for (const name of ['Nina Roux', 'Jean-Pierre O’Neill', "Anne-Sophie d'Hérouville", 'J. Dupont', 'Zoë Łukasiewicz', 'Мария Иванова', 'Ngô Bảo Châu']) {
      expect(delegateNameProblem(name), name).toBeNull()
    }
    // Decomposed accents (a phone keyboard may send them) are kept as one letter.
    expect(cleanDelegateName('Ame\u0301lie   Durand ')).toBe('Amélie Durand')
    expect(delegateNameProblem('Ame\u0301lie Durand')).toBeNull()
  })

  it('refuses quotes, angle brackets, line breaks, encoded words, addresses, emoji and long names', () => {
    for (const name of ['Eve "Admin"', 'Eve <eve@evil.example>', 'Eve\r\nBcc: x@evil.example', '=?utf-8?q?Direction?=', 'eve@evil.example', 'Eve 😈', 'Agent 007', '-Eve']) {
      expect(delegateNameProblem(name), name).toMatch(/lettres/)
    }
    expect(delegateNameProblem('a'.repeat(81))).toBe('Le nom fait 80 caractères au plus.')
    expect(delegateNameProblem('a'.repeat(80))).toBeNull()
  })

  it('is checked by the answer form only with "Je me fais remplacer"', () => {
    const delegate = answerForm.safeParse({ answer: 'delegate', delegate_name: 'Eve <x>', delegate_email: 'eve@example.org', comment: '' })
    expect(delegate.success).toBe(false)
    expect(delegate.error!.issues.map((i) => i.path.join('.'))).toEqual(['delegate_name'])
    const ignored = answerForm.safeParse({ answer: 'on_site', delegate_name: 'Eve <x>', delegate_email: '', comment: '' })
    expect(ignored.success).toBe(true)
    const clean = answerForm.parse({ answer: 'delegate', delegate_name: '  Nina   Roux ', delegate_email: 'nina@example.org', comment: '' })
    expect(clean.delegate_name).toBe('Nina Roux')
  })
})

describe('one live delegation per invitation', () => {
  const nina = { id: 7, active: true, pending: true }

  it('adds a colleague nobody knows as a pending contact, and revokes the one named before', () => {
    expect(delegationPlan([], null)).toEqual({ kind: 'delegate', revoke: [], invite: 'new' })
    expect(delegationPlan([{ invitationId: 30, contactId: 7 }], null)).toEqual({ kind: 'delegate', revoke: [30], invite: 'new' })
  })

  it('changes nothing when the same colleague is named again', () => {
    expect(delegationPlan([{ invitationId: 30, contactId: 7 }], nina)).toEqual({ kind: 'unchanged' })
  })

  it('invites a known contact (active or pending), but never one a facilitator deactivated', () => {
    expect(delegationPlan([], { id: 8, active: true, pending: false })).toEqual({ kind: 'delegate', revoke: [], invite: 'known' })
    expect(delegationPlan([{ invitationId: 30, contactId: 7 }], { id: 9, active: false, pending: false })).toEqual({ kind: 'delegate', revoke: [30], invite: 'inactive' })
  })

  it('keeps only the colleague named now when older data holds several', () => {
    expect(delegationPlan([{ invitationId: 30, contactId: 7 }, { invitationId: 31, contactId: 8 }], nina)).toEqual({ kind: 'delegate', revoke: [31], invite: 'known' })
  })

  it('says in French whom to write to when a cap is reached', () => {
    expect(delegationCapMessage('invitation', 'Camille (animation@example.org)')).toBe(
      `Vous avez déjà désigné ${MAX_DELEGATIONS_PER_INVITATION} personnes pour vous remplacer à cette séance : pour en désigner une autre, écrivez à Camille (animation@example.org).`)
    expect(delegationCapMessage('partner', 'Camille')).toContain(`Votre organisation a désigné aujourd'hui ${MAX_DELEGATIONS_PER_PARTNER_PER_DAY} personnes`)
  })

  it("tells the facilitator about a colleague who was not invited, or is still to confirm", () => {
    expect(delegateState({ answer: 'delegate', delegateActive: 0, delegatePending: 0, delegateInvited: false })).toBe('inactive')
    expect(delegateState({ answer: 'delegate', delegateActive: 0, delegatePending: 0, delegateInvited: true })).toBeNull()
    expect(delegateState({ answer: 'delegate', delegateActive: 1, delegatePending: 1, delegateInvited: true })).toBe('pending')
    expect(delegateState({ answer: 'delegate', delegateActive: 1, delegatePending: 0, delegateInvited: true })).toBeNull()
    expect(delegateState({ answer: 'on_site', delegateActive: null, delegatePending: null, delegateInvited: false })).toBeNull()
  })
})
