import { describe, expect, it } from 'vitest'
import { crossCheck, type PlacementFacts, type PlacementInput, placeOf } from '../../src/sessions/placement.js'

// The session form's checks beyond one field, and the place saved: pure, on the facts the route loads.

const facts: PlacementFacts = {
  sameDay: undefined,
  communes: [{ id: 1 }, { id: 2 }],
  venues: [{ id: 10, commune_id: 1 }, { id: 20, commune_id: 2 }],
}
const onSite: PlacementInput = { date: '2027-01-15', commune_id: 1, venue_id: 10, mode: 'in_person', video_url: null }

describe('crossCheck', () => {
  it('accepts a place of the platform on a free day', () => {
    expect(crossCheck(null, onSite, facts, null)).toEqual({})
    expect(crossCheck(null, { ...onSite, commune_id: null, venue_id: null }, facts, null)).toEqual({})
  })

  it('refuses a second session on the same day, but not the session being edited', () => {
    const sameDay = { ...facts, sameDay: { id: 7 } }
    expect(crossCheck(null, onSite, sameDay, null)).toEqual({ date: 'Une séance existe déjà ce jour-là.' })
    expect(crossCheck(null, onSite, sameDay, 8)).toEqual({ date: 'Une séance existe déjà ce jour-là.' })
    expect(crossCheck(null, onSite, sameDay, 7)).toEqual({})
  })

  it('refuses a commune or a venue of another platform, and a venue outside the chosen commune', () => {
    expect(crossCheck(null, { ...onSite, commune_id: 3, venue_id: null }, facts, null)).toEqual({ commune_id: 'Commune inconnue.' })
    expect(crossCheck(null, { ...onSite, venue_id: 30 }, facts, null)).toEqual({ venue_id: 'Lieu inconnu.' })
    expect(crossCheck(null, { ...onSite, venue_id: 20 }, facts, null)).toEqual({ venue_id: "Ce lieu n'est pas dans la commune choisie." })
    // A venue without a commune chosen is fine: its commune comes with it (placeOf).
    expect(crossCheck(null, { ...onSite, commune_id: null, venue_id: 20 }, facts, null)).toEqual({})
  })

  it('asks for a videoconference link unless the platform has a default one', () => {
    const remote = { ...onSite, mode: 'videoconference' }
    expect(crossCheck(null, remote, facts, null)).toEqual({ video_url: 'Indiquez le lien de visioconférence (https://…).' })
    expect(crossCheck('https://visio.example.org/p', remote, facts, null)).toEqual({})
    expect(crossCheck(null, { ...remote, video_url: 'https://visio.example.org/x' }, facts, null)).toEqual({})
  })

  it('reports every problem at once, in the form\'s order', () => {
    const errors = crossCheck(null, { date: onSite.date, commune_id: 3, venue_id: 30, mode: 'hybrid', video_url: null }, { ...facts, sameDay: { id: 1 } }, null)
    expect(Object.keys(errors)).toEqual(['date', 'commune_id', 'venue_id', 'video_url'])
  })
})

describe('placeOf', () => {
  it('brings the commune of a venue chosen alone, and keeps a chosen pair or nothing as it is', () => {
    expect(placeOf(facts.venues, null, 20)).toEqual({ commune_id: 2, venue_id: 20 })
    expect(placeOf(facts.venues, 1, 10)).toEqual({ commune_id: 1, venue_id: 10 })
    expect(placeOf(facts.venues, 2, null)).toEqual({ commune_id: 2, venue_id: null })
    expect(placeOf(facts.venues, null, null)).toEqual({ commune_id: null, venue_id: null })
    expect(placeOf(facts.venues, null, 99)).toEqual({ commune_id: null, venue_id: 99 })
  })
})
