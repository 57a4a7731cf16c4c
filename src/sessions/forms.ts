import { z } from 'zod'
import { isValidDate, isValidTime } from '../calendar/zoned.js'
import { checkboxes, choice, integer, optionalHttpsUrl, text } from '../web/forms.js'

const date = z.string({ error: 'Date invalide.' }).trim().refine(isValidDate, 'Date invalide (format AAAA-MM-JJ).')
const time = z.string({ error: 'Heure invalide.' }).trim().refine(isValidTime, 'Heure invalide (format HH:MM).')
const optionalId = z
  .string({ error: 'Valeur invalide.' })
  .optional()
  .transform((s) => (s ?? '').trim())
  .pipe(z.union([z.literal('').transform(() => null), z.string().regex(/^\d{1,9}$/, 'Valeur invalide.').transform(Number)]))

export const MONTHS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'] as const

export const planForm = z.object({
  year: integer(2000, 2100),
  skip: checkboxes(MONTHS),
  start_time: time,
  end_time: time,
}).refine((f) => f.start_time < f.end_time, { path: ['end_time'], message: "L'heure de fin doit suivre l'heure de début." })

export const sessionForm = z.object({
  date,
  start_time: time,
  end_time: time,
  commune_id: optionalId,
  venue_id: optionalId,
  mode: choice(['in_person', 'videoconference', 'hybrid'] as const, 'Choisissez un mode.'),
  video_url: optionalHttpsUrl(),
  notes: text(2000, false),
}).refine((f) => f.start_time < f.end_time, { path: ['end_time'], message: "L'heure de fin doit suivre l'heure de début." })

export const visioForm = z.object({ video_url: optionalHttpsUrl() })

export const yearForm = z.object({ year: integer(2000, 2100) })
