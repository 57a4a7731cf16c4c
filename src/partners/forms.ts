import { z } from 'zod'
import type { Partner } from '../db/schema.js'
import { checkbox, choice, email, line, optionalEmail, optionalHttpsUrl, optionalLine, text } from '../web/forms.js'
import { ANSWER_VALUES } from './answers.js'
import { cleanDelegateName, delegateNameProblem } from './delegation.js'

// One zod schema per form of the partner pages and of the partner's link.

export const PARTNER_KINDS = ['public_body', 'local_authority', 'association', 'foundation', 'other'] as const satisfies readonly Partner['kind'][]

export const KIND_LABELS: Record<Partner['kind'], string> = {
  public_body: 'Institution publique',
  local_authority: 'Collectivité',
  association: 'Association',
  foundation: 'Fondation',
  other: 'Autre',
}

/** Suggested themes of competence; the facilitator may add others. */
export const THEMES = ['logement', 'insertion', 'financement', 'jeunesse', 'culture', 'sport', 'numérique'] as const

const MAX_THEMES = 15

/** Themes as stored: lower case, comma-free, unique, in the order given. */
export function normaliseThemes(themes: Iterable<string>): string[] {
  const out: string[] = []
  for (const t of themes) {
    const clean = t.replace(/\s+/g, ' ').trim().toLocaleLowerCase('fr')
    if (clean && !out.includes(clean)) out.push(clean)
  }
  return out
}

export const themesText = (themes: string[]): string => normaliseThemes(themes).join(',')
export const themesOf = (p: Pick<Partner, 'themes'>): string[] => p.themes.split(',').filter(Boolean)

const themeList = z
  .union([z.string(), z.array(z.string())], { error: 'Valeur invalide.' })
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]))

export const partnerForm = z.object({
  name: line(150),
  kind: choice(PARTNER_KINDS, "Choisissez le type d'organisation."),
  themes: themeList,
  other_themes: optionalLine(300),
  website: optionalHttpsUrl(),
  notes: text(2000, false),
}).transform((f, zctx) => {
  const themes = normaliseThemes([...f.themes, ...(f.other_themes ?? '').split(',')])
  if (themes.length > MAX_THEMES) zctx.addIssue({ code: 'custom', path: ['other_themes'], message: `${MAX_THEMES} thèmes au plus.` })
  if (themes.some((t) => t.length > 40)) zctx.addIssue({ code: 'custom', path: ['other_themes'], message: 'Un thème fait 40 caractères au plus ; séparez-les par des virgules.' })
  return { name: f.name, kind: f.kind, themes, website: f.website, notes: f.notes }
})

export type PartnerInput = z.output<typeof partnerForm>

const phone = optionalLine(30).refine((s) => s === null || /^[0-9+().\s/-]{6,30}$/.test(s), 'Numéro de téléphone invalide.')

export const contactForm = z.object({
  name: line(150),
  email: email(),
  phone,
  role: optionalLine(100),
  active: checkbox(),
})

export type ContactInput = z.output<typeof contactForm>

/** The quick "désactiver / réactiver" buttons beside a contact. */
export const contactToggleForm = z.object({ action: choice(['activate', 'deactivate'] as const) })

/** "Confirmer" / "Refuser" beside a contact a colleague named; `back`: the page the buttons were on. */
export const contactReviewForm = z.object({
  decision: choice(['confirm', 'refuse'] as const),
  back: choice(['directory', 'partner'] as const).optional().transform((b) => b ?? 'directory'),
})

const digitsId = z.string().regex(/^\d{1,9}$/).transform(Number)

/** Organisations to invite; none ticked means every active contact. */
export const inviteForm = z.object({
  partner_ids: z
    .union([digitsId, z.array(digitsId)], { error: 'Choisissez des organisations dans la liste.' })
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v])),
})

export const importForm = z.object({
  // The size is bounded by the body limits (the import route's multipart limits); the parser checks every line.
  csv: z.string({ error: 'Valeur invalide.' }).optional().transform((s) => s ?? ''),
  // The uploaded file's raw bytes (UTF-8 or Windows-1252 as Excel writes them).
  csv_file: z.instanceof(Buffer, { error: 'Fichier illisible.' }).optional(),
  // The raw bytes of a file (base64), for files that are not UTF-8 (Windows-1252 from Excel).
  csv_base64: z.string({ error: 'Valeur invalide.' }).optional().transform((s) => (s ?? '').replace(/\s+/g, ''))
    .refine((s) => /^[A-Za-z0-9+/_-]*={0,2}$/.test(s), 'Fichier illisible.'),
  step: choice(['preview', 'confirm'] as const).optional().transform((s) => s ?? 'preview'),
  // The confirmation carries the rows the preview read, sealed (import-preview.ts), never the file again.
  preview: z.string({ error: 'Valeur invalide.' }).optional().transform((s) => s ?? ''),
  skip_errors: checkbox(),
}).superRefine((f, zctx) => {
  if (f.step === 'preview' && f.csv.trim() === '' && f.csv_base64 === '' && !f.csv_file?.length) {
    zctx.addIssue({ code: 'custom', path: ['csv'], message: 'Choisissez votre fichier, ou collez son contenu (avec sa ligne de titres).' })
  }
})

export function importBytes(data: z.output<typeof importForm>): Buffer {
  if (data.csv_file?.length) return data.csv_file
  return data.csv_base64 !== '' ? Buffer.from(data.csv_base64, 'base64') : Buffer.from(data.csv, 'utf8')
}

export const answerForm = z.object({
  answer: choice(ANSWER_VALUES, 'Choisissez une réponse.'),
  comment: text(1000, false),
  // Checked below, with the answer: the name of a colleague goes into their email's To: and greeting.
  delegate_name: optionalLine(1000),
  delegate_email: optionalEmail(),
}).superRefine((f, zctx) => {
  if (f.answer !== 'delegate') return
  if (!f.delegate_name) zctx.addIssue({ code: 'custom', path: ['delegate_name'], message: 'Indiquez le nom de la personne qui vous remplace.' })
  else {
    const problem = delegateNameProblem(f.delegate_name)
    if (problem) zctx.addIssue({ code: 'custom', path: ['delegate_name'], message: problem })
  }
  if (!f.delegate_email) zctx.addIssue({ code: 'custom', path: ['delegate_email'], message: "Indiquez l'adresse e-mail de la personne qui vous remplace." })
}).transform((f) => ({ ...f, delegate_name: f.delegate_name === null ? null : cleanDelegateName(f.delegate_name) }))

export type AnswerInput = z.output<typeof answerForm>

export const adviceForm = z.object({
  pitch_id: z.string({ error: 'Choisissez une présentation.' }).regex(/^\d{1,9}$/, 'Choisissez une présentation.').transform(Number),
  body: text(4000),
})
