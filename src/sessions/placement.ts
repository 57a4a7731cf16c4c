import type { FieldErrors } from '../web/forms.js'

// Pure: the checks of a session's form that go beyond one field, and the place it is saved with. The route
// loads what they look at (the session already on that day, the platform's communes and venues).

export interface PlacementInput {
  date: string
  commune_id: number | null
  venue_id: number | null
  mode: string
  video_url: string | null
}

export interface PlacementFacts {
  /** The platform's session on the form's date, if any. */
  sameDay: { id: number } | undefined
  communes: ReadonlyArray<{ id: number }>
  /** The platform's venues (only looked at when the form names one). */
  venues: ReadonlyArray<{ id: number; commune_id: number }>
}

/**
 * The place belongs to this platform (and the venue to the commune chosen), one session per day, a
 * videoconference link when the session is not on site and the platform has no default one. `currentId`
 * is the session being edited (null for a new one). Errors come in the form's order.
 */
export function crossCheck(defaultVideoUrl: string | null, data: PlacementInput, facts: PlacementFacts, currentId: number | null): FieldErrors {
  const errors: FieldErrors = {}
  if (facts.sameDay && facts.sameDay.id !== currentId) errors.date = 'Une séance existe déjà ce jour-là.'
  if (data.commune_id !== null && !facts.communes.some((c) => c.id === data.commune_id)) errors.commune_id = 'Commune inconnue.'
  if (data.venue_id !== null) {
    const venue = facts.venues.find((v) => v.id === data.venue_id)
    if (!venue) errors.venue_id = 'Lieu inconnu.'
    else if (data.commune_id !== null && venue.commune_id !== data.commune_id) errors.venue_id = "Ce lieu n'est pas dans la commune choisie."
  }
  if (data.mode !== 'in_person' && !data.video_url && !defaultVideoUrl) {
    errors.video_url = 'Indiquez le lien de visioconférence (https://…).'
  }
  return errors
}

/** The place saved: a venue chosen without its commune brings its commune along. */
export function placeOf(venues: PlacementFacts['venues'], commune_id: number | null, venue_id: number | null) {
  if (venue_id !== null && commune_id === null) {
    const venue = venues.find((v) => v.id === venue_id)
    return { commune_id: venue?.commune_id ?? null, venue_id }
  }
  return { commune_id, venue_id }
}
