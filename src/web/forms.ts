import { z } from 'zod'
import { CONTROL_IN_LINE, CONTROL_IN_TEXT } from '../text-safety.js'

// One way to handle a form: a zod schema; failure re-renders the form (400) with the values and French
// messages beside each field; success redirects (303).

// C0/C1 controls (tab and newlines allowed only where multi-line text is expected), bidi overrides, NUL.
const CONTROL_MULTILINE = CONTROL_IN_TEXT
const CONTROL_LINE = CONTROL_IN_LINE

const MSG_REQUIRED = 'Ce champ est obligatoire.'
const MSG_CONTROL = 'Ce texte contient des caractères non autorisés.'

/** A one-line text field. Empty optional fields become null. */
export function line(max = 200) {
  return z
    .string({ error: 'Valeur invalide.' })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, MSG_REQUIRED)
        .refine((s) => !CONTROL_LINE.test(s), MSG_CONTROL)
        .max(max, `${max} caractères au plus.`),
    )
}

export function optionalLine(max = 200) {
  return z
    .string({ error: 'Valeur invalide.' })
    .optional()
    .transform((s) => (s ?? '').trim())
    .pipe(
      z
        .string()
        .refine((s) => !CONTROL_LINE.test(s), MSG_CONTROL)
        .max(max, `${max} caractères au plus.`)
        .transform((s) => (s === '' ? null : s)),
    )
}

/** Multi-line text (newlines kept, normalised to \n). */
export function text(max = 4000, required = true) {
  return z
    .string({ error: 'Valeur invalide.' })
    .optional()
    .transform((s) => (s ?? '').replace(/\r\n?/g, '\n').trim())
    .pipe(
      z
        .string()
        .min(required ? 1 : 0, MSG_REQUIRED)
        .refine((s) => !CONTROL_MULTILINE.test(s), MSG_CONTROL)
        .max(max, `${max} caractères au plus.`)
        .transform((s) => (s === '' ? null : s)),
    )
}

const strictEmail = z.email({ error: 'Adresse e-mail invalide.' }).max(254, 'Adresse e-mail trop longue.')
const trimmed = z.string({ error: 'Valeur invalide.' }).optional().transform((s) => (s ?? '').trim())

/** An email address, strictly: nodemailer must never see anything it could re-route. */
export function email() {
  return trimmed.pipe(z.string().min(1, MSG_REQUIRED).pipe(strictEmail))
}

export function optionalEmail() {
  return trimmed.pipe(z.union([z.literal('').transform(() => null), strictEmail], { error: 'Adresse e-mail invalide.' }))
}

const httpsUrlString = z
  .string()
  .max(500, '500 caractères au plus.')
  .refine((s) => {
    try {
      const u = new URL(s)
      // No ; or , : calendar clients mangle them in URL values (see calendar/sanitise.ts).
      return u.protocol === 'https:' && !u.username && !u.password && !/[\s;,]/.test(s)
    } catch {
      return false
    }
  }, 'Adresse invalide : elle doit commencer par https://')

export function optionalHttpsUrl() {
  return trimmed.pipe(z.union([z.literal('').transform(() => null), httpsUrlString], { error: 'Adresse invalide : elle doit commencer par https://' }))
}

export function choice<const T extends readonly [string, ...string[]]>(values: T, message = 'Choisissez une valeur dans la liste.') {
  return z.enum(values, { error: message })
}

export function checkbox() {
  return z
    .union([z.literal('yes'), z.literal('on'), z.literal('1'), z.literal('')], { error: 'Valeur invalide.' })
    .optional()
    .transform((v) => v === 'yes' || v === 'on' || v === '1')
}

/** A list of checkboxes with one name: absent, one value or several. */
export function checkboxes<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .union([z.enum(values), z.array(z.enum(values))], { error: 'Valeur invalide.' })
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? [...new Set(v)] : [v]))
}

const digits = z.string().regex(/^\d{1,9}$/, 'Nombre entier attendu.').transform(Number)

export function integer(min: number, max: number) {
  return trimmed.pipe(z.string().min(1, MSG_REQUIRED).pipe(digits)).refine((n) => n >= min && n <= max, `Entre ${min} et ${max}.`)
}

export function optionalInteger(min: number, max: number) {
  return trimmed
    .pipe(z.union([z.literal('').transform(() => null), digits], { error: `Nombre entier attendu, entre ${min} et ${max}.` }))
    .refine((n) => n === null || (n >= min && n <= max), `Entre ${min} et ${max}.`)
}

export type FieldErrors = Record<string, string>

type Issue = { code: string; input?: unknown; origin?: string; minimum?: unknown; maximum?: unknown; format?: string }

/**
 * The French message of any check that carries none of its own (zod's default is English: "Invalid input"):
 * every form parsed here answers in French, whatever schema a feature writes (a crafted value included).
 */
export function frenchIssue(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type': return issue.input === undefined ? MSG_REQUIRED : 'Valeur invalide.'
    case 'invalid_value': return 'Choisissez une valeur dans la liste.'
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? MSG_REQUIRED : `${String(issue.minimum)} caractères au moins.`
      return issue.origin === 'array' || issue.origin === 'set' ? `Au moins ${String(issue.minimum)} choix.` : `Au moins ${String(issue.minimum)}.`
    case 'too_big':
      if (issue.origin === 'string') return `${String(issue.maximum)} caractères au plus.`
      return issue.origin === 'array' || issue.origin === 'set' ? `${String(issue.maximum)} choix au plus.` : `Au plus ${String(issue.maximum)}.`
    case 'invalid_format': return issue.format === 'email' ? 'Adresse e-mail invalide.' : issue.format === 'url' ? 'Adresse invalide.' : 'Format invalide.'
    default: return 'Valeur invalide.'
  }
}

export type FormResult<T> =
  | { ok: true; data: T; values: Record<string, unknown> }
  | { ok: false; errors: FieldErrors; values: Record<string, unknown> }

/** Parses a urlencoded body; unknown fields are ignored, the first message per field is kept. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const values = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {}
  delete values._csrf
  const result = schema.safeParse(values, { error: frenchIssue })
  if (result.success) return { ok: true, data: result.data, values }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '_form')
    errors[key] ??= issue.message
  }
  return { ok: false, errors, values }
}

