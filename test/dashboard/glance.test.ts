import { describe, expect, it } from 'vitest'
import { answerKind, answersInWords, glanceOf, summaryLine } from '../../src/dashboard/glance.js'

// Pure: the next session at a glance from the rows the queries read.

const session = { id: 7, pitch_slots: 3, mode: 'in_person' as const }
const pitch = (id: number, status: 'confirmed' | 'pending' | 'waiting', sessionId = 7) =>
  ({ id, session_id: sessionId, status, position: id, title: `Initiative ${id}`, holder_name: `Porteur ${id}` })
const invitation = (answer: 'none' | 'on_site' | 'remote' | 'declined' | 'delegate' | 'tentative', failed = false, sessionId = 7) =>
  ({ session_id: sessionId, answer, address_failed_at: failed ? '2026-11-20T10:00:00.000Z' : null, address_failure: failed ? '550' : null, contact_name: 'Léa', partner_name: 'CAF' })

describe('glanceOf', () => {
  it('counts held slots, the waiting list, free slots and answers of that session only', () => {
    const g = glanceOf(session, {
      pitches: [pitch(1, 'confirmed'), pitch(2, 'pending'), pitch(3, 'waiting'), pitch(4, 'confirmed', 8)],
      invitations: [invitation('on_site'), invitation('none', true), invitation('delegate'), invitation('declined', false, 8)],
      mails: [{ id: 1, session_id: 7, kind: 'session.invitation', to_name: 'Léa', subject: 'Invitation', last_error: 'SMTP 550', created_at: '' }],
    })
    expect(g).toMatchObject({ held: 2, waiting: 1, freeSlots: 1, invited: 3 })
    expect(g.answers).toEqual({ on_site: 1, remote: 0, declined: 0, none: 1, tentative: 0, delegate: 1 })
    expect(g.bounced).toEqual([{ contactName: 'Léa', partnerName: 'CAF', failure: '550' }])
    expect(g.failedMails).toEqual([{ id: 1, toName: 'Léa', subject: 'Invitation', error: 'SMTP 550' }])
    expect(summaryLine(g)).toBe('2 présentations, 1 créneau libre ; 1 sur place, 1 pas de réponse, 1 se fait remplacer ; 2 courriers en échec')
  })

  it('never shows a negative number of free slots, and says when nobody is invited', () => {
    const g = glanceOf({ ...session, pitch_slots: 1 }, { pitches: [pitch(1, 'confirmed'), pitch(2, 'confirmed')], invitations: [], mails: [] })
    expect(g.freeSlots).toBe(0)
    expect(summaryLine(g)).toBe('2 présentations, 0 créneau libre ; aucun partenaire invité')
    expect(answersInWords(g.answers)).toBe('aucun partenaire invité')
  })

  it('counts "sur place" as remote for a videoconference session', () => {
    expect(answerKind('on_site', 'videoconference')).toBe('remote')
    expect(answerKind('on_site', 'hybrid')).toBe('on_site')
  })
})
