import { z } from 'zod'
import { nameKey } from '../platforms/names.js'
import type { BookingRequest } from './booking.js'
import { checkbox, checkboxes, choice, email, line, optionalLine, text } from '../web/forms.js'

export const DOMAINS = { economie_solidaire: 'Économie solidaire', social: 'Social', culturel: 'Culturel', sportif: 'Sportif', environnement: 'Environnement', autre: 'Autre' } as const
export const NEEDS = { local: 'Un local', financement: 'Un financement', partenaires: 'Des partenaires', methode: 'De la méthode', benevoles: 'Des bénévoles', communication: 'De la communication' } as const
export const STAGES = { idee: 'Une idée', projet: 'Un projet construit', en_cours: 'Une action déjà en cours' } as const
export const HOLDER_KINDS = { resident: 'Habitant·e', group: 'Groupe informel', association: 'Association', other: 'Autre' } as const
export const ATTENDANCE = { on_site: 'Sur place', remote: 'À distance (visioconférence)' } as const

const keys = <T extends Record<string, string>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]]

/** A choice the holder may leave out (empty or absent): null, shown as « non précisé ». */
const optionalChoice = <const T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.union([z.literal(''), choice(values)], { error: message }).optional().transform((v) => v || null)

// Issue #24: the contract's fields are enough to book (CONTRACT.md, "Pitch booking form fields"); everything
// else the form offers is optional — a resident who cannot classify their idea still books.
const initiativeFields = {
  initiative_title: line(150),
  initiative_summary: text(2000, true).pipe(z.string({ error: 'Ce champ est obligatoire.' })),
  domain: optionalChoice(keys(DOMAINS), 'Choisissez un domaine dans la liste.'),
  needs: checkboxes(keys(NEEDS)),
  stage: optionalChoice(keys(STAGES), "Choisissez où en est l'initiative dans la liste."),
  public_title: checkbox(),
}

const phone = optionalLine(30).refine((s) => s === null || /^[0-9 +().-]{6,30}$/.test(s), 'Numéro de téléphone invalide.')

/** How the holder attends: on site unless they say otherwise. */
const attendance = z.union([z.literal(''), choice(keys(ATTENDANCE))], { error: 'Dites comment vous participerez.' }).optional()
  .transform((v) => v || 'on_site' as const)

export const bookingForm = z.object({
  holder_name: line(120),
  holder_email: email(),
  holder_phone: phone,
  holder_kind: choice(keys(HOLDER_KINDS), 'Dites qui porte l’initiative.'),
  commune: optionalLine(100),
  attendance,
  consent: z.literal('yes', { error: 'Votre accord est nécessaire pour réserver un créneau.' }),
  /** Optional (default no): referred partners may receive the holder's contact details (referrals/). */
  shares_contact: checkbox(),
  ...initiativeFields,
})

export type BookingForm = z.output<typeof bookingForm>

export const initiativeEditForm = z.object({ ...initiativeFields, attendance })

/** The holder's own details, changed from their page (the public form never changes them, issue #25). */
export const holderDetailsForm = z.object({
  holder_name: line(120),
  holder_phone: phone,
})

export const moveRequestForm = z.object({ session_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Choisissez une séance.') })

/** "Transmettre mes coordonnées": which referral of the holder's initiative (referrals/ checks it is theirs). */
export const shareContactForm = z.object({ referral_id: z.string().regex(/^\d{1,9}$/).transform(Number) })

export const rebookForm = z.object({
  initiative_id: z.string({ error: 'Choisissez une initiative.' }).regex(/^\d{1,9}$/, 'Choisissez une initiative.').transform(Number),
  session_date: z.string({ error: 'Choisissez une séance.' }).regex(/^\d{4}-\d{2}-\d{2}$/, 'Choisissez une séance.'),
})

/** The booking form as a booking request, with the holder's commune (already resolved) on both. */
export function bookingRequest<E extends string | null>(d: Omit<BookingForm, 'holder_email'> & { holder_email: E }, communeId: number | null): BookingRequest & { holder: { email: E } } {
  return {
    holder: { name: d.holder_name, email: d.holder_email, phone: d.holder_phone, kind: d.holder_kind, commune_id: communeId },
    initiative: { title: d.initiative_title, summary: d.initiative_summary, domain: d.domain, needs: d.needs, stage: d.stage, commune_id: communeId },
    attendance: d.attendance,
    publicTitle: d.public_title,
    sharesContact: d.shares_contact,
  }
}

/** The commune a form names, compared accent- and case-insensitively; `undefined` when it is not one of them. */
export function communeNamed<T extends { name_key: string }>(communes: T[], name: string | null): T | null | undefined {
  return name ? communes.find((c) => c.name_key === nameKey(name)) : null
}
