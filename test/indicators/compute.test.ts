import { describe, expect, it } from 'vitest'
import { computeIndicators, type PeriodRows } from '../../src/indicators/compute.js'
import { type Period, yearPeriod } from '../../src/indicators/period.js'
import { toInstant } from '../../src/calendar/zoned.js'

const NOW = '2027-01-10T12:00:00.000Z'
const ZONE = 'Europe/Paris'

let nextId = 1
function session(date: string, over: Partial<PeriodRows['sessions'][number]> = {}): PeriodRows['sessions'][number] {
  const start = over.start_time ?? '09:00'
  const end = over.end_time ?? '12:00'
  return { id: nextId++, date, start_time: start, end_time: end, ends_at: toInstant(date, end, ZONE), status: 'published', mode: 'in_person', commune_id: 1, ...over }
}

function rows(year: number | Period, over: Partial<PeriodRows>): PeriodRows {
  return {
    period: typeof year === 'number' ? yearPeriod(year) : year, sessions: [], communes: [{ id: 1, name: 'Lens' }, { id: 2, name: 'Liévin' }, { id: 3, name: 'Éleu-dit-Leauwette' }],
    pitches: [], earlierHolderIds: [], attendance: [], invitations: [], partners: [], advice: [], referrals: [], referralSucceededEvents: [], records: [], ...over,
  }
}

describe('the year\'s indicators from rows', () => {
  it('counts a cancelled session as cancelled, never as held, and nothing presented at it', () => {
    const cancelled = session('2026-03-27', { status: 'cancelled' })
    const ind = computeIndicators(rows(2026, {
      sessions: [cancelled],
      pitches: [{ id: 1, session_id: cancelled.id, holder_id: 1, status: 'confirmed', holder_kind: 'resident', holder_commune_id: null, initiative_id: 1, domain: null, stage: null }],
      advice: [{ pitch_id: 1, source: 'written' }],
      referrals: [{ id: 1, pitch_id: 1, partner_id: 1, status: 'succeeded', created_at: '2026-06-01T10:00:00.000Z' }],
      attendance: [{ session_id: cancelled.id, partner_id: 1, organisation: null, presence: 'on_site', holder_id: null }],
      partners: [{ id: 1, name: 'Mission locale', name_key: 'mission locale' }],
    }), NOW)
    expect(ind).toMatchObject({ sessionsHeld: 0, sessionsCancelled: 1, communesVisited: 0, pitches: 0, distinctHolders: 0, partnersPresent: 0, advice: 0, referrals: 0, referralsSucceeded: 0 })
  })

  it('does not count a session that has not ended yet, but says it is upcoming', () => {
    const running = session('2027-01-10', { start_time: '12:00', end_time: '14:00' }) // 11:00Z–13:00Z, now is 12:00Z
    const past = session('2027-01-08')
    const ind = computeIndicators(rows(2027, {
      sessions: [running, past],
      pitches: [{ id: 1, session_id: running.id, holder_id: 1, status: 'confirmed', holder_kind: 'resident', holder_commune_id: null, initiative_id: 1, domain: null, stage: null }],
    }), NOW)
    expect(ind).toMatchObject({ sessionsHeld: 1, sessionsUpcoming: 1, pitches: 0, communesVisited: 1 })
    // The instant its end passes, it is held.
    expect(computeIndicators(rows(2027, { sessions: [running] }), running.ends_at).sessionsHeld).toBe(1)
  })

  it('counts a moved session once, in the year of its new date', () => {
    // Moved from 2026-12-18 to 2027-01-08: one row, its date the new one (the old date is only an alias).
    const moved = session('2027-01-08', { commune_id: 2 })
    expect(computeIndicators(rows(2026, { sessions: [moved] }), NOW).sessionsHeld).toBe(0)
    expect(computeIndicators(rows(2027, { sessions: [moved] }), NOW)).toMatchObject({ sessionsHeld: 1, communesVisited: 1, communes: [{ name: 'Liévin', sessions: 1 }] })
  })

  it('takes the year in the platform\'s time zone: 00:30 on 1 January is the new year, 23:30 on 31 December the old one', () => {
    const newYear = session('2027-01-01', { start_time: '00:30', end_time: '02:00' })
    const newYearsEve = session('2026-12-31', { start_time: '21:00', end_time: '23:30' })
    expect(toInstant(newYear.date, '00:30', ZONE)).toBe('2026-12-31T23:30:00.000Z') // still 2026 in UTC
    expect(newYearsEve.ends_at).toBe('2026-12-31T22:30:00.000Z')
    const all = [newYear, newYearsEve]
    expect(computeIndicators(rows(2026, { sessions: all }), NOW).sessionsHeld).toBe(1)
    expect(computeIndicators(rows(2027, { sessions: all }), NOW).sessionsHeld).toBe(1)
    expect(computeIndicators(rows(2026, { sessions: all }), NOW).hours).toBe(2.5)
  })

  it('counts a walk-in organisation once however it is typed, and as the known partner when it bears its name', () => {
    const s1 = session('2026-01-30')
    const s2 = session('2026-02-27')
    const ind = computeIndicators(rows(2026, {
      sessions: [s1, s2],
      partners: [{ id: 7, name: 'Mission locale', name_key: 'mission locale' }, { id: 8, name: 'France Active', name_key: 'france active' }],
      invitations: [{ session_id: s1.id, partner_id: 7 }, { session_id: s2.id, partner_id: 7 }, { session_id: s1.id, partner_id: 8 }],
      attendance: [
        { session_id: s1.id, partner_id: null, organisation: 'Réseau Entreprendre', presence: 'on_site', holder_id: null },
        { session_id: s2.id, partner_id: null, organisation: '  RÉSEAU entreprendre', presence: 'remote', holder_id: null },
        { session_id: s2.id, partner_id: null, organisation: 'Réseau-Entreprendre', presence: 'on_site', holder_id: null },
        { session_id: s1.id, partner_id: 7, organisation: null, presence: 'remote', holder_id: null },
        { session_id: s1.id, partner_id: 7, organisation: null, presence: 'on_site', holder_id: null },
        { session_id: s2.id, partner_id: null, organisation: 'mission locale', presence: 'remote', holder_id: null },
        { session_id: s1.id, partner_id: 8, organisation: null, presence: 'absent', holder_id: null },
        { session_id: s1.id, partner_id: null, organisation: null, presence: 'on_site', holder_id: 3 },
      ],
    }), NOW)
    expect(ind.partnersPresent).toBe(2)
    expect(ind.partners).toEqual([
      { name: 'Mission locale', invited: 2, present: 2, onSite: 1, remote: 1, known: true },
      { name: 'Réseau Entreprendre', invited: 0, present: 2, onSite: 2, remote: 0, known: false },
      { name: 'France Active', invited: 1, present: 0, onSite: 0, remote: 0, known: true },
    ])
  })

  it('counts holders once, by kind, first-time or returning, and referrals by their current status', () => {
    const s = session('2026-05-29')
    const ind = computeIndicators(rows(2026, {
      sessions: [s],
      earlierHolderIds: [2, 99],
      pitches: [
        { id: 1, session_id: s.id, holder_id: 1, status: 'confirmed', holder_kind: 'resident', holder_commune_id: null, initiative_id: 1, domain: null, stage: null },
        { id: 2, session_id: s.id, holder_id: 1, status: 'confirmed', holder_kind: 'resident', holder_commune_id: null, initiative_id: 2, domain: null, stage: null },
        { id: 3, session_id: s.id, holder_id: 2, status: 'confirmed', holder_kind: 'association', holder_commune_id: null, initiative_id: 3, domain: null, stage: null },
        { id: 4, session_id: s.id, holder_id: 3, status: 'waiting', holder_kind: 'group', holder_commune_id: null, initiative_id: 4, domain: null, stage: null },
        { id: 5, session_id: s.id, holder_id: 4, status: 'withdrawn', holder_kind: 'group', holder_commune_id: null, initiative_id: 5, domain: null, stage: null },
      ],
      advice: [{ pitch_id: 1, source: 'table' }, { pitch_id: 3, source: 'written' }, { pitch_id: 4, source: 'written' }],
      referrals: [{ id: 2, pitch_id: 1, partner_id: 1, status: 'succeeded', created_at: '2026-06-01T10:00:00.000Z' }, { id: 3, pitch_id: 2, partner_id: 1, status: 'contacted', created_at: '2026-06-01T10:00:00.000Z' }, { id: 4, pitch_id: 5, partner_id: 1, status: 'succeeded', created_at: '2026-06-01T10:00:00.000Z' }],
      // Referral 2 succeeded after 3 days, was reopened, succeeded again after 12: the last counts. Referral 3 was
      // aboutie once and reopened: it is not aboutie now.
      referralSucceededEvents: [{ referral_id: 2, created_at: '2026-06-04T10:00:00.000Z' }, { referral_id: 2, created_at: '2026-06-13T10:00:00.000Z' }, { referral_id: 3, created_at: '2026-06-02T10:00:00.000Z' }],
      partners: [{ id: 1, name: 'Mission locale', name_key: 'mission locale' }],
    }), NOW, { pitches: 10, referralsSucceeded: 1 })
    expect(ind).toMatchObject({
      pitches: 3, distinctHolders: 2, holdersByKind: { resident: 1, association: 1 }, firstTimeHolders: 1, returningHolders: 1,
      advice: 2, adviceBySource: { table: 1, written: 1 }, referrals: 2, referralsSucceeded: 1,
      referralsByStatus: { proposed: 0, contacted: 1, in_progress: 0, succeeded: 1, dropped: 0 },
      referralsByPartner: [{ name: 'Mission locale', referrals: 2, succeeded: 1 }], medianDaysToSucceeded: 12,
      initiativesByDomain: { '': 3 },
      targets: { pitches: 10, referralsSucceeded: 1 },
    })
  })

  it('lists the communes by sessions held and those never visited, in French order', () => {
    const ind = computeIndicators(rows(2026, {
      sessions: [session('2026-01-30', { commune_id: 2 }), session('2026-02-27', { commune_id: 1 }), session('2026-03-27', { commune_id: 1 }), session('2026-04-24', { commune_id: null, mode: 'videoconference' })],
      communes: [{ id: 1, name: 'Lens' }, { id: 2, name: 'Liévin' }, { id: 3, name: 'Éleu-dit-Leauwette' }, { id: 4, name: 'Avion' }],
    }), NOW)
    expect(ind.communes).toEqual([{ name: 'Lens', sessions: 2 }, { name: 'Liévin', sessions: 1 }])
    expect(ind.communesNever).toEqual(['Avion', 'Éleu-dit-Leauwette'])
    expect(ind.sessionsByMode).toEqual({ in_person: 3, videoconference: 1, hybrid: 0 })
  })
  it('counts an initiative once by its stage when first presented, and its change over the period from its records', () => {
    const [s1, s2, s3] = [session('2026-02-27'), session('2026-03-27'), session('2026-04-24')]
    const pitch = (id: number, sessionId: number, initiative: number, stage: string | null) =>
      ({ id, session_id: sessionId, holder_id: initiative, status: 'confirmed' as const, holder_kind: 'resident', holder_commune_id: null, initiative_id: initiative, domain: null, stage })
    const ind = computeIndicators(rows(2026, {
      sessions: [s1, s2, s3],
      // The initiative rows say the stage of today ('en_cours'); the records say what it was at each pitch.
      pitches: [pitch(3, s3.id, 1, 'en_cours'), pitch(1, s1.id, 1, 'en_cours'), pitch(2, s2.id, 1, 'en_cours'), pitch(4, s1.id, 2, 'projet'), pitch(5, s2.id, 3, 'idee'), pitch(6, s3.id, 4, null)],
      records: [
        // Initiative 1, presented three times (listed out of order): idée → projet, then projet → en cours: one change, idée → en cours.
        { pitch_id: 1, stage_before: 'idee', stage_after: 'projet' }, { pitch_id: 3, stage_before: 'projet', stage_after: 'en_cours' },
        { pitch_id: 2, stage_before: null, stage_after: null },
        // Initiative 2: there and back again, no change over the period.
        { pitch_id: 4, stage_before: 'projet', stage_after: 'projet' },
        // Initiative 4 had no stage said before its pitch.
        { pitch_id: 6, stage_before: null, stage_after: 'idee' },
      ],
    }), NOW)
    expect(ind.initiativesByStage).toEqual({ idee: 2, projet: 1, '': 1 })
    expect(ind.stageChanges).toEqual([{ from: '', to: 'idee', initiatives: 1 }, { from: 'idee', to: 'en_cours', initiatives: 1 }])
    expect(ind.initiativesStageChanged).toBe(2)
  })

  it('takes any range of dates, and gives no targets but for a calendar year', () => {
    const sessions = [session('2026-08-28'), session('2026-09-25'), session('2027-01-08'), session('2027-09-24', { status: 'cancelled' })]
    const range = computeIndicators(rows({ from: '2026-09-01', to: '2027-08-31', year: null }, { sessions }), NOW, { sessionsHeld: 3 })
    expect(range).toMatchObject({ year: null, from: '2026-09-01', to: '2027-08-31', sessionsHeld: 2, sessionsCancelled: 0, targets: {} })
    expect(computeIndicators(rows(2026, { sessions }), NOW, { sessionsHeld: 3 })).toMatchObject({ year: 2026, sessionsHeld: 2, targets: { sessionsHeld: 3 } })
  })

  it('counts the holders by their commune, the unsaid last', () => {
    const s = session('2026-05-29')
    const pitch = (id: number, holder: number, commune: number | null) => ({ id, session_id: s.id, holder_id: holder, status: 'confirmed' as const, holder_kind: 'resident', holder_commune_id: commune, initiative_id: id, domain: null, stage: null })
    const ind = computeIndicators(rows(2026, { sessions: [s], pitches: [pitch(1, 1, null), pitch(2, 2, 2), pitch(3, 2, 2), pitch(4, 3, 1), pitch(5, 4, 2)] }), NOW)
    expect(ind.holdersByCommune).toEqual([{ name: 'Liévin', holders: 2 }, { name: 'Lens', holders: 1 }, { name: '', holders: 1 }])
    expect(ind.holderCommunes).toBe(2)
  })
})
