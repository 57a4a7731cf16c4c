import { describe, expect, it } from 'vitest'
import type { Answer } from '../../src/db/schema.js'
import { answerWindow, attendanceTable, type AttendanceEntry, columnOf, inviteRefusal, linkEndsAt, linksExpired, participation } from '../../src/partners/answers.js'
import { frCollator } from '../../src/platforms/names.js'

let nextId = 1
const entry = (partnerId: number, partnerName: string, contactName: string, answer: Answer): AttendanceEntry => ({
  invitationId: nextId++, partnerId, partnerName, contactName, answer, comment: null, delegateName: null, delegatedBy: null, remindedAt: null,
})

const session = { status: 'published' as const, starts_at: '2026-12-18T08:00:00.000Z', ends_at: '2026-12-18T11:00:00.000Z' }

describe('who comes', () => {
  it('groups people by organisation in French order, one column per answer', () => {
    const t = attendanceTable([
      entry(2, 'Fédération des centres sociaux', 'Karim', 'remote'),
      entry(1, 'CAF', 'Marc', 'on_site'),
      entry(1, 'CAF', 'Hélène', 'delegate'),
      entry(3, 'Éducation nationale', 'Zoé', 'none'),
      entry(1, 'CAF', 'Nina', 'on_site'),
      entry(2, 'Fédération des centres sociaux', 'Léa', 'declined'),
    ], 10)
    expect(t.groups.map((g) => g.partnerName)).toEqual(['CAF', 'Éducation nationale', 'Fédération des centres sociaux'])
    const caf = t.groups[0]!
    expect(caf.columns.onSite.map((e) => e.contactName)).toEqual(['Marc', 'Nina'])
    expect(caf.columns.excused.map((e) => e.contactName)).toEqual(['Hélène'])
    expect(t.totals).toEqual({ onSite: 2, remote: 1, excused: 2, none: 1 })
    expect(t.headcount).toBe(2)
    expect(t.overCapacity).toBe(false)
  })

  it('sorts each cell like one French sort of everyone would, homonyms staying in the order handed in', () => {
    const names = ['Émile', 'emile', 'Eva', 'Zoé', 'Élodie', 'Anaïs', 'Ana', 'Œdipe', 'Oscar', 'Dupré', 'Dupre', 'Émile']
    const orgs: Array<[number, string]> = [[1, 'CAF'], [2, 'Éducation nationale'], [3, 'Fédération des centres sociaux'], [4, 'Caisse'], [5, 'École']]
    const answers: Answer[] = ['on_site', 'remote', 'declined', 'delegate', 'none']
    const entries = Array.from({ length: 150 }, (_, i) => {
      const [id, name] = orgs[i % orgs.length]!
      return entry(id, name, names[(i * 5) % names.length]!, answers[Math.floor(i / orgs.length) % answers.length]!)
    })
    // What the table was before: everyone sorted by name at once, then put in their organisation's row.
    const reference = [...entries].sort((a, b) => frCollator.compare(a.contactName, b.contactName))
    const t = attendanceTable(entries, null)
    expect(t.groups.map((g) => g.partnerName)).toEqual(['CAF', 'Caisse', 'École', 'Éducation nationale', 'Fédération des centres sociaux'])
    for (const g of t.groups) {
      for (const column of ['onSite', 'remote', 'excused', 'none'] as const) {
        expect(g.columns[column].map((e) => e.invitationId)).toEqual(
          reference.filter((e) => e.partnerId === g.partnerId && columnOf(e.answer) === column).map((e) => e.invitationId))
      }
    }
    expect(t.groups.every((g) => Object.values(g.columns).every((cell) => cell.length > 2))).toBe(true)
    expect(Object.values(t.totals).reduce((a, b) => a + b, 0)).toBe(entries.length)
  })

  it('warns only when the on-site headcount exceeds the capacity', () => {
    const three = [entry(1, 'A', 'a', 'on_site'), entry(1, 'A', 'b', 'on_site'), entry(1, 'A', 'c', 'on_site'), entry(1, 'A', 'd', 'remote')]
    expect(attendanceTable(three, 3).overCapacity).toBe(false)
    expect(attendanceTable(three, 2).overCapacity).toBe(true)
    expect(attendanceTable(three, null).overCapacity).toBe(false)
    expect(attendanceTable([], 2)).toMatchObject({ groups: [], headcount: 0, overCapacity: false })
  })

  it('counts sending a colleague as excused', () => {
    expect(columnOf('delegate')).toBe('excused')
    expect(columnOf('declined')).toBe('excused')
    expect(columnOf('none')).toBe('none')
  })
})

describe('what a link still allows', () => {
  it('stays open until 30 days after the end of the session', () => {
    expect(linkEndsAt(session.ends_at)).toBe('2027-01-17T11:00:00.000Z')
    expect(linksExpired(session.ends_at, new Date('2027-01-17T11:00:00.000Z'))).toBe(false)
    expect(linksExpired(session.ends_at, new Date('2027-01-17T11:00:01.000Z'))).toBe(true)
  })

  it('takes answers until the start, then written advice; nothing for a cancelled session', () => {
    expect(answerWindow(session, new Date('2026-12-18T07:59:59.000Z'))).toBe('answer')
    expect(answerWindow(session, new Date('2026-12-18T08:00:00.000Z'))).toBe('advice')
    expect(answerWindow({ ...session, status: 'cancelled' }, new Date('2026-12-01T00:00:00.000Z'))).toBe('closed')
  })

  it('invites only to a published session that has not started', () => {
    const before = new Date('2026-12-01T00:00:00.000Z')
    expect(inviteRefusal(session, before)).toBeNull()
    expect(inviteRefusal({ ...session, status: 'draft' }, before)).toContain('Publiez')
    expect(inviteRefusal({ ...session, status: 'cancelled' }, before)).toContain('annulée')
    expect(inviteRefusal(session, new Date('2026-12-18T08:00:00.000Z'), 'remind')).toContain('relancer')
  })
})

describe("an organisation's year", () => {
  it('counts the sessions where someone came, leaving cancelled ones out', () => {
    const p = participation([
      { sessionId: 2, date: '2026-03-27', status: 'published', contactName: 'Marc', answer: 'declined' },
      { sessionId: 1, date: '2026-02-27', status: 'published', contactName: 'Hélène', answer: 'remote' },
      { sessionId: 2, date: '2026-03-27', status: 'published', contactName: 'Hélène', answer: 'none' },
      { sessionId: 3, date: '2026-04-24', status: 'cancelled', contactName: 'Hélène', answer: 'on_site' },
    ])
    expect(p.sessions.map((s) => [s.date, s.present, s.people.map((x) => x.contactName)])).toEqual([
      ['2026-02-27', true, ['Hélène']],
      ['2026-03-27', false, ['Hélène', 'Marc']],
      ['2026-04-24', true, ['Hélène']],
    ])
    expect(p.invited).toBe(2)
    expect(p.present).toBe(1)
  })
})
