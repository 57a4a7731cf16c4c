import { z } from 'zod'
import { isValidTime } from '../calendar/zoned.js'
import { validateRrule } from '../calendar/recurrence.js'
import { checkbox, choice, email, integer, line, optionalEmail, optionalHttpsUrl, optionalInteger, optionalLine, text } from '../web/forms.js'
import { parseMailboxUrl } from './mailbox.js'

export const communeForm = z.object({
  name: line(100),
  postcode: optionalLine(10).refine((s) => s === null || /^[0-9A-Za-z -]{3,10}$/.test(s), 'Code postal invalide.'),
})

const id = z.string({ error: 'Choisissez une commune.' }).regex(/^\d{1,9}$/, 'Choisissez une commune.').transform(Number)

export const venueForm = z.object({
  name: line(150),
  address: line(300),
  commune_id: id,
  accessibility: text(1000, false),
  capacity: optionalInteger(1, 10000),
  host_name: optionalLine(150),
  host_email: optionalEmail(),
  host_phone: optionalLine(30),
})

const time = z.string({ error: 'Heure invalide.' }).trim().refine(isValidTime, 'Heure invalide (format HH:MM).')

export const settingsForm = z.object({
  name: line(150),
  contact_name: optionalLine(150),
  contact_email: email(),
  contact_phone: optionalLine(30),
  default_video_url: optionalHttpsUrl(),
  default_start: time,
  default_end: time,
  rrule: line(200).refine((r) => validateRrule(r) === null, 'Règle de récurrence invalide.'),
  booking_mode: choice(['auto', 'review'] as const),
  booking_close_days: integer(0, 60),
  // Issue #25: how long a booking from the public form holds its slot until its holder confirms by email.
  booking_hold_hours: integer(1, 336),
  reminder_days: line(30).refine((s) => /^\d{1,2}(,\s*\d{1,2})*$/.test(s), 'Des nombres de jours séparés par des virgules, par exemple 7,1.'),
  // Tracker 22: the privacy notice as the facilitators write it (empty: the default), and the retention period.
  privacy_notice: text(20000, false),
  retention_months: integer(6, 120),
  // Tracker 23: the platform's own ORGANIZER mailbox (empty: the instance's REPLY_IMAP_URL) and its password
  // (empty: the stored one is kept); reply_imap_forget removes both.
  reply_imap_url: optionalLine(500).transform((s, c) => {
    if (s === null) return null
    const parsed = parseMailboxUrl(s)
    if (parsed.ok) return parsed
    c.addIssue({ code: 'custom', message: parsed.message })
    return z.NEVER
  }),
  reply_imap_password: z.string({ error: 'Valeur invalide.' }).optional().transform((s) => s ?? '')
    .pipe(z.string().max(500, '500 caractères au plus.').refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Caractères de contrôle refusés.')),
  reply_imap_forget: checkbox(),
}).refine((f) => f.default_start < f.default_end, { path: ['default_end'], message: "L'heure de fin doit suivre l'heure de début." })
