import { z } from 'zod'
import type { ReferralStatus } from '../db/schema.js'
import { choice, integer, optionalInteger, optionalLine, text } from '../web/forms.js'

// The referral forms: a status change with a note (partner's link and facilitator), the holder's consent,
// and the Orientations page's filters (query parameters, validated like a form).

const STATUS_VALUES = ['proposed', 'contacted', 'in_progress', 'succeeded', 'dropped'] as const satisfies readonly ReferralStatus[]

export const statusForm = z.object({
  referral_id: integer(1, 999_999_999),
  status: choice(STATUS_VALUES, 'Choisissez où en est cette orientation.'),
  note: text(2000, false),
})

/** The partner's form also asks (optionally) who is answering: the link may have gone to several people. */
export const partnerStatusForm = statusForm.extend({
  by_name: optionalLine(120),
})

export const facilitatorStatusForm = statusForm.omit({ referral_id: true })

export const consentForm = z.object({
  referral_id: integer(1, 999_999_999),
})

export const filterQuery = z.object({
  partenaire: optionalInteger(1, 999_999_999),
  initiative: optionalInteger(1, 999_999_999),
  statut: z.union([z.literal(''), z.enum(STATUS_VALUES)], { error: 'Statut inconnu.' }).optional().transform((v) => v || null),
})

export type FilterQuery = z.output<typeof filterQuery>
