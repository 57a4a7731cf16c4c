import { z } from 'zod'
import type { PitchStatus } from '../db/schema.js'
import { checkboxes, choice, email, integer, line, optionalEmail, optionalInteger, text } from '../web/forms.js'
import type { AgendaRow } from './agenda-edit.js'
import { bookingForm, DOMAINS, HOLDER_KINDS, NEEDS, STAGES } from './forms.js'

// The facilitator's forms on pitches, a session's agenda and initiatives: one zod schema per form.

const keys = <T extends Record<string, string>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]]

export const STATUS_LABELS: Record<PitchStatus, string> = {
  pending: 'En attente de validation', confirmed: 'Confirmée', waiting: "Liste d'attente", declined: 'Refusée', withdrawn: 'Retirée',
}

/** What the pitches page offers for a booking in each state (and what the POST accepts). */
export const PITCH_ACTIONS: Record<PitchStatus, ReadonlyArray<PitchAction>> = {
  pending: ['confirm', 'decline', 'waitlist', 'move', 'up', 'down'],
  confirmed: ['decline', 'waitlist', 'move', 'up', 'down'],
  waiting: ['confirm', 'decline', 'move'],
  declined: [],
  withdrawn: [],
}

export type PitchAction = 'confirm' | 'decline' | 'waitlist' | 'move' | 'up' | 'down'

export const pitchActionForm = z.discriminatedUnion('action', [
  z.object({ action: z.literal('confirm') }),
  z.object({ action: z.literal('decline'), message: text(2000, false) }),
  z.object({ action: z.literal('waitlist') }),
  z.object({ action: z.literal('move'), session_date: z.string({ error: 'Choisissez une séance.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Choisissez une séance.') }),
  z.object({ action: z.literal('up') }),
  z.object({ action: z.literal('down') }),
  z.object({ action: z.literal('feed') }),
], { error: 'Action inconnue.' })

/**
 * A booking taken by phone: the public form's fields, but the consent is the facilitator's statement
 * that the person agreed orally (same field name, so the booking code is shared).
 */
export const onBehalfForm = bookingForm.extend({
  // Someone without an email address can be booked: their messages then go to the platform's mailbox.
  holder_email: optionalEmail(),
  consent: z.literal('yes', { error: 'Cochez « La personne a donné son accord » : sans son accord, ses coordonnées ne peuvent pas être enregistrées.' }),
})

// Parallel arrays (`kind`, `title`, `duration`, `position`, one value per row, in order) work without
// JavaScript and without indexed names; `remove` carries the indexes of the rows to drop.
const list = z.union([z.string(), z.array(z.string())], { error: 'Valeur invalide.' }).optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))

export const agendaForm = z.object({
  kind: list, title: list, duration: list, position: list, remove: list,
  op: z.enum(['save', 'add']).optional().transform((v) => v ?? 'save'),
}).refine((f) => f.title.length === f.kind.length && f.duration.length === f.kind.length && f.position.length === f.kind.length,
  { error: 'Le formulaire est incomplet : rechargez la page.', path: ['agenda'] })
  .transform((f): { op: 'save' | 'add'; rows: AgendaRow[] } => ({
    op: f.op,
    rows: f.kind.map((kind, i) => ({ kind, title: f.title[i]!, duration: f.duration[i]!, position: f.position[i]!, remove: f.remove.includes(String(i)) })),
  }))

/** An idea recorded by the facilitator, with no holder yet: the domain and stage may be unknown. */
export const ideaForm = z.object({
  initiative_title: line(150),
  initiative_summary: text(2000, true).pipe(z.string({ error: 'Ce champ est obligatoire.' })),
  domain: z.union([z.literal(''), choice(keys(DOMAINS))], { error: 'Choisissez un domaine.' }).optional().transform((v) => v || null),
  needs: checkboxes(keys(NEEDS)),
  stage: z.union([z.literal(''), choice(keys(STAGES))], { error: "Choisissez où en est l'initiative." }).optional().transform((v) => v || null),
  commune_id: optionalInteger(1, 999_999_999),
})

export const attachHolderForm = z.object({
  holder_name: line(120),
  holder_email: email(),
  holder_phone: bookingForm.shape.holder_phone,
  holder_kind: choice(keys(HOLDER_KINDS), 'Dites qui porte l’initiative.'),
})

export const mergeForm = z.object({ into_id: integer(1, 999_999_999) })
