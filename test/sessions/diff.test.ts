import { describe, expect, it } from 'vitest'
import { diffSession, type SessionFacts } from '../../src/sessions/diff.js'

// What changed in a session, and whether calendars must hear of it (SEQUENCE up, an update sent).

const base: SessionFacts = { date: '2026-12-18', start_time: '09:00', end_time: '12:00', venue_label: 'Salle Carnot, Liévin', mode: 'in_person', video_url: null }

describe('diffSession', () => {
  it('finds nothing material when nothing people rely on changed', () => {
    expect(diffSession(base, { ...base })).toEqual({ material: false, lines: [] })
    // A link set while on site only is not announced: nobody joins remotely.
    expect(diffSession(base, { ...base, video_url: 'https://visio.example.org/x' }).material).toBe(false)
  })

  it('words a new date, time and place in French', () => {
    const d = diffSession(base, { ...base, date: '2026-12-11', start_time: '09:30', venue_label: null })
    expect(d.material).toBe(true)
    expect(d.lines).toEqual([
      'Nouvelle date : Vendredi 11 décembre 2026 (au lieu du vendredi 18 décembre 2026).',
      expect.stringMatching(/^Nouvel horaire : /),
      'Le lieu est à nouveau à déterminer.',
    ])
  })

  it('announces a switch to videoconference with its link, and no place', () => {
    const d = diffSession(base, { ...base, mode: 'videoconference', video_url: 'https://visio.example.org/x', venue_label: null })
    expect(d.lines).toEqual(['La séance se tiendra en visioconférence : https://visio.example.org/x.'])
  })

  it('announces a new link for a session held remotely', () => {
    const remote = { ...base, mode: 'hybrid' as const, video_url: 'https://visio.example.org/a' }
    expect(diffSession(remote, { ...remote, video_url: 'https://visio.example.org/b' }).lines).toEqual(['Nouveau lien de visioconférence : https://visio.example.org/b'])
  })
})
