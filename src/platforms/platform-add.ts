import { parseArgs } from 'node:util'
import type { Db } from '../db/schema.js'
import { checkPlatform, NEW_PLATFORM_VALUES } from './platform-form.js'
import { findAnyPlatformBySlug, insertPlatform } from './store.js'

// `npm run platform:add -- --slug S --name N --country CC [--region R] [--timezone Z] --mailbox M
// [--communes FILE.csv]`: the administrators' creation form for operators, with the same checks. A wrong value
// throws a PlatformAddError (one line naming the option); nothing is created.

export class PlatformAddError extends Error {}

const OPTIONS = {
  slug: { type: 'string' }, name: { type: 'string' }, country: { type: 'string' }, region: { type: 'string' },
  timezone: { type: 'string' }, mailbox: { type: 'string' }, communes: { type: 'string' }, 'contact-name': { type: 'string' },
  rrule: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' }, skip: { type: 'string' },
  'venue-name': { type: 'string' }, 'venue-address': { type: 'string' }, 'venue-commune': { type: 'string' },
} as const

/** Form field → the option that fills it, in the order errors are reported. */
const OPTION_OF: Array<[string, string]> = [
  ['slug', '--slug'], ['name', '--name'], ['country', '--country'], ['region', '--region'], ['timezone', '--timezone'],
  ['contact_email', '--mailbox'], ['contact_name', '--contact-name'], ['rule_week', '--rrule'], ['rrule', '--rrule'],
  ['default_start', '--start'], ['default_end', '--end'], ['skip', '--skip'], ['venue_name', '--venue-name'],
  ['venue_address', '--venue-address'], ['venue_commune', '--venue-commune'], ['communes', '--communes'], ['itinerant', '--venue-name'],
]

export interface PlatformAddDeps {
  db: Db
  now: Date
  readFile: (path: string) => Buffer
  agendaTemplate: string
}

export async function platformAdd(argv: string[], deps: PlatformAddDeps): Promise<string> {
  let values: Partial<Record<keyof typeof OPTIONS, string>>
  try {
    values = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new PlatformAddError((error as Error).message)
  }
  let communesFile: Buffer | undefined
  if (values.communes !== undefined) {
    try {
      communesFile = deps.readFile(values.communes)
    } catch {
      throw new PlatformAddError(`--communes: cannot read ${values.communes}`)
    }
  }
  const skip = values.skip?.split(',').map((m) => m.trim()).filter(Boolean)
  const body = {
    slug: values.slug, name: values.name, country: values.country, region: values.region, timezone: values.timezone,
    contact_email: values.mailbox, contact_name: values['contact-name'],
    rule_week: NEW_PLATFORM_VALUES.rule_week, rule_day: NEW_PLATFORM_VALUES.rule_day, rrule: values.rrule,
    default_start: values.start ?? NEW_PLATFORM_VALUES.default_start, default_end: values.end ?? NEW_PLATFORM_VALUES.default_end,
    itinerant: values['venue-name'] || values['venue-address'] || values['venue-commune'] ? 'no' : 'yes',
    venue_name: values['venue-name'], venue_address: values['venue-address'], venue_commune: values['venue-commune'],
    skip: skip ?? NEW_PLATFORM_VALUES.skip, communes_file: communesFile,
  }
  const check = checkPlatform(body, { create: true })
  if (!check.ok) {
    const [field, option] = OPTION_OF.find(([f]) => check.errors[f]) ?? [Object.keys(check.errors)[0]!, `--${Object.keys(check.errors)[0]}`]
    if (field === 'communes' && check.communeErrors.length > 0) {
      const more = check.communeErrors.length - 1
      const first = check.communeErrors[0]!.replace(/\.$/, '')
      throw new PlatformAddError(`--communes: ${first}${more > 0 ? ` ; et ${more} autre(s) erreur(s)` : ''}. Rien n'a été créé.`)
    }
    throw new PlatformAddError(`${option}: ${check.errors[field]}`)
  }
  const { slug, platform, communes } = check.data
  const taken = await findAnyPlatformBySlug(deps.db, slug)
  if (taken) {
    throw new PlatformAddError(`--slug: ${taken.archived_at ? 'cet identifiant a servi à une plateforme archivée et ne sera pas réutilisé.' : 'cet identifiant est déjà celui d’une autre plateforme.'}`)
  }
  const { communes: added } = await insertPlatform(deps.db, {
    slug, platform, communes, facilitatorId: null, agendaTemplate: deps.agendaTemplate, now: deps.now.toISOString(),
  })
  const holidays = platform.region ? `${platform.country}-${platform.region}` : platform.country
  return `Created platform "${slug}" (${platform.name}): ${added} communes, time zone ${platform.timezone}, public holidays ${holidays}, rule ${platform.rrule} ${platform.default_start}–${platform.default_end}.`
    + `\nGive it a facilitator: npm run user:add -- --email E --name N --platform ${slug}`
}

