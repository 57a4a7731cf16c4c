import { z } from 'zod'
import { choice, integer, optionalInteger, optionalLine, text } from '../web/forms.js'
import { REFERRAL_STATUSES } from './status.js'

// The referral forms: a status change with a note (partner's link and facilitator), and the Orientations
// page's filters (query parameters, validated like a form).

const statusForm = z.object({
  referral_id: integer(1, 999_999_999),
  status: choice(REFERRAL_STATUSES, 'Choisissez où en est cette orientation.'),
  note: text(2000, false),
})

/** The partner's form also asks (optionally) who is answering: the link may have gone to several people. */
export const partnerStatusForm = statusForm.extend({
  by_name: optionalLine(120),
})

export const facilitatorStatusForm = statusForm.omit({ referral_id: true })

export const filterQuery = z.object({
  partenaire: optionalInteger(1, 999_999_999),
  initiative: optionalInteger(1, 999_999_999),
  statut: z.union([z.literal(''), z.enum(REFERRAL_STATUSES)], { error: 'Statut inconnu.' }).optional().transform((v) => v || null),
  /** The page of the sorted list ("Orientations suivantes"); past the last one, the last one. */
  page: optionalInteger(1, 999_999),
})
