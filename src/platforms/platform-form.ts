import { z } from 'zod'
import { countryTimezones, findHolidayRegion, holidayRegions, isHolidayCountry } from '../calendar/holidays.js'
import { validateRrule } from '../calendar/recurrence.js'
import { isValidTime, isValidZone } from '../calendar/zoned.js'
import { checkboxes, choice, email, type FieldErrors, line, optionalLine } from '../web/forms.js'
import { type CommuneRow, communeErrorLines, parseCommunes } from './communes-import.js'
import { nameKey, RESERVED_SLUGS } from './names.js'
import { monthlyRule, RULE_DAYS, RULE_WEEKS } from './rule.js'

// A platform as an administrator creates or edits it — one form, and the same checks for
// `npm run platform:add` (which hands the same fields). Pure: what the database must still say (is the slug
// free? does the platform have sessions?) is asked by the caller.

export const MONTH_VALUES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'] as const

export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/** null when the slug may name a new platform (apart from being free), else the French reason. */
export function slugProblem(slug: string): string | null {
  if (slug === '') return 'Ce champ est obligatoire.'
  if (slug.length < 2 || slug.length > 60) return "L'identifiant compte de 2 à 60 caractères."
  if (!SLUG_RE.test(slug)) return "Minuscules sans accent, chiffres et tirets seulement, sans tiret au début ni à la fin (par exemple province-luxembourg)."
  if (RESERVED_SLUGS.has(slug)) return `« ${slug} » est réservé par l'application : choisissez un autre identifiant.`
  return null
}

const time = z.string({ error: 'Heure invalide.' }).trim().refine(isValidTime, 'Heure invalide (format HH:MM).')

const fields = z.object({
  name: line(150),
  country: z.string({ error: 'Choisissez un pays.' }).trim().toUpperCase(),
  region: optionalLine(20),
  timezone: optionalLine(64),
  contact_email: email(),
  contact_name: optionalLine(150),
  rule_week: choice(RULE_WEEKS).optional(),
  rule_day: choice(RULE_DAYS).optional(),
  rrule: optionalLine(200),
  default_start: time,
  default_end: time,
  itinerant: choice(['yes', 'no'] as const, 'Dites si la plateforme change de commune ou se réunit toujours au même lieu.'),
  venue_name: optionalLine(150),
  venue_address: optionalLine(300),
  venue_commune: optionalLine(100),
  skip: checkboxes(MONTH_VALUES),
  communes: z.string({ error: 'Valeur invalide.' }).optional().transform((s) => s ?? ''),
  // An uploaded file's raw bytes (UTF-8 or Windows-1252), beside or instead of the pasted list.
  communes_file: z.instanceof(Buffer, { error: 'Fichier illisible.' }).optional(),
})

const slugField = z.object({ slug: z.string({ error: 'Ce champ est obligatoire.' }).optional().transform((s) => (s ?? '').trim()) })

export interface PlatformInput {
  name: string
  country: string
  region: string | null
  timezone: string
  contact_email: string
  contact_name: string | null
  rrule: string
  default_start: string
  default_end: string
  itinerant: boolean
  /** The fixed venue of a platform that is not itinerant; its commune is named as in the list. */
  venue: { name: string; address: string; commune: string } | null
  skip_months: number[]
}

export interface CheckedPlatform { slug: string; platform: PlatformInput; communes: CommuneRow[] }

export type PlatformCheck =
  | { ok: true; data: CheckedPlatform; values: Record<string, unknown> }
  | { ok: false; errors: FieldErrors; values: Record<string, unknown>; communeErrors: string[] }

/** The zone as the tz database spells it ('europe/paris' → 'Europe/Paris'), or null when it is not one. */
export function canonicalZone(zone: string): string | null {
  if (!isValidZone(zone)) return null
  const canonical = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone
  return isValidZone(canonical) ? canonical : null
}

/**
 * Checks a creation form (`slug` given) or an edit form (`slug: null`). `knownCommunes`: the names the
 * platform already has (edit), so the fixed venue may be in one of them.
 */
export function checkPlatform(body: unknown, options: { create: boolean; knownCommunes?: string[] }): PlatformCheck {
  const values = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {}
  delete values._csrf
  delete values.communes_file // bytes are not shown back; the pasted text is
  const errors: FieldErrors = {}
  const fail = (communeErrors: string[] = []): PlatformCheck => ({ ok: false, errors, values, communeErrors })

  const raw = { ...(body as Record<string, unknown>) }
  const slugResult = slugField.safeParse(raw)
  const slug = slugResult.success ? slugResult.data.slug : ''
  if (options.create) {
    const problem = slugProblem(slug)
    if (problem) errors.slug = problem
  }
  const parsed = fields.safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) errors[String(issue.path[0] ?? '_form')] ??= issue.message
  }
  const f = parsed.success ? parsed.data : null
  // What can be checked without the other fields' values is checked even when some are wrong.
  const country = typeof raw.country === 'string' ? raw.country.trim().toUpperCase() : ''
  if (!isHolidayCountry(country)) errors.country = country === '' ? 'Choisissez un pays.' : `Pays inconnu : « ${country} ». Choisissez-le dans la liste (code ISO à deux lettres, FR ou BE par exemple).`
  if (!f || errors.country) return fail()

  let region: string | null = null
  if (f.region) {
    const found = findHolidayRegion(country, f.region)
    if (found) region = found.code
    else {
      const known = holidayRegions(country).map((r) => r.code)
      errors.region = known.length === 0
        ? `Ce pays n'a pas de région aux jours fériés différents : laissez ce champ vide.`
        : `Région inconnue pour ce pays : choisissez-en une de la liste (${known.join(', ')}) ou laissez vide.`
    }
  }

  let timezone: string | null = null
  if (f.timezone) {
    timezone = canonicalZone(f.timezone)
    if (!timezone) errors.timezone = `Fuseau horaire inconnu : « ${f.timezone} ». Écrivez-le comme la base IANA, par exemple Europe/Paris ou Europe/Brussels.`
  } else if (!errors.region) {
    const zones = countryTimezones(country, region)
    if (zones.length === 1) timezone = zones[0]!
    else if (zones.length > 1) errors.timezone = `Ce pays compte plusieurs fuseaux horaires : indiquez le vôtre (${zones.slice(0, 4).join(', ')}…).`
    else errors.timezone = 'Indiquez le fuseau horaire (par exemple Europe/Paris).'
  }

  const rrule = f.rrule ?? (f.rule_week && f.rule_day ? monthlyRule(f.rule_week, f.rule_day) : null)
  if (!rrule) errors.rule_week = 'Choisissez la semaine et le jour, ou écrivez une règle.'
  else {
    const problem = validateRrule(rrule)
    if (problem) errors[f.rrule ? 'rrule' : 'rule_week'] = problem
  }
  if (f.default_start >= f.default_end) errors.default_end = "L'heure de fin doit suivre l'heure de début."

  const text = f.communes_file?.length ? f.communes_file : f.communes
  const communes = parseCommunes(text, country)
  if (communes.errors.length > 0) {
    errors.communes = communes.errors.length === 1
      ? 'La liste des communes contient une erreur : rien ne sera créé avant qu’elle soit corrigée.'
      : `La liste des communes contient ${communes.errors.length} erreurs : rien ne sera créé avant qu’elles soient corrigées.`
  }

  let venue: PlatformInput['venue'] = null
  if (f.itinerant === 'no') {
    if (!f.venue_name) errors.venue_name = 'Indiquez le nom du lieu où la plateforme se réunit.'
    if (!f.venue_address) errors.venue_address = "Indiquez l'adresse du lieu."
    if (!f.venue_commune) errors.venue_commune = 'Indiquez la commune du lieu.'
    else {
      const known = [...(options.knownCommunes ?? []), ...communes.rows.map((r) => r.name)]
      const match = known.find((n) => nameKey(n) === nameKey(f.venue_commune!))
      if (!match) errors.venue_commune = 'Cette commune n’est pas dans la liste des communes de la plateforme : ajoutez-la à la liste.'
      else if (f.venue_name && f.venue_address) venue = { name: f.venue_name, address: f.venue_address, commune: match }
    }
  }

  if (Object.keys(errors).length > 0 || !timezone || !rrule) return fail(communeErrorLines(communes.errors))
  return {
    ok: true,
    values,
    data: {
      slug,
      communes: communes.rows,
      platform: {
        name: f.name, country, region, timezone, contact_email: f.contact_email, contact_name: f.contact_name, rrule,
        default_start: f.default_start, default_end: f.default_end, itinerant: f.itinerant === 'yes', venue,
        skip_months: f.skip.map(Number).sort((a, b) => a - b),
      },
    },
  }
}

/** What the creation form shows first: a last-Friday, 09:00–12:00, itinerant platform in France. */
export const NEW_PLATFORM_VALUES = {
  country: 'FR', rule_week: '-1', rule_day: 'FR', default_start: '09:00', default_end: '12:00', itinerant: 'yes', skip: ['1', '8'],
}
