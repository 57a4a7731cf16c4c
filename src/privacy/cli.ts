import { parseArgs } from 'node:util'
import { z } from 'zod'
import type { Db } from '../db/schema.js'
import { findAnyPlatformBySlug } from '../platforms/store.js'
import { erasePerson } from './erase.js'
import { exportPerson } from './export.js'

// `npm run person:export -- --platform S --email E` and `npm run person:erase -- --platform S --email E --yes`
// for operators: the facilitators' rules and the same audit entry (actor 'operator'). A wrong option throws a
// PersonCliError, one line naming it (as platform:add); nothing is read or changed then.

export class PersonCliError extends Error {}

export interface PersonCliDeps { db: Db; now: Date; dataDir: string }

const OPTIONS = { platform: { type: 'string' }, email: { type: 'string' } } as const

interface Parsed { platform: { id: number; slug: string }; email: string }

async function parse(argv: string[], deps: PersonCliDeps, erase: boolean): Promise<Parsed> {
  let values: { platform?: string; email?: string; yes?: boolean }
  try {
    values = erase
      ? parseArgs({ args: argv, options: { ...OPTIONS, yes: { type: 'boolean' } }, strict: true, allowPositionals: false }).values
      : parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }).values
  } catch (error) {
    throw new PersonCliError((error as Error).message.split('\n')[0]!)
  }
  if (!values.platform) throw new PersonCliError('--platform: required (the platform\'s slug, e.g. lens-lievin).')
  const email = z.email().safeParse(values.email?.trim())
  if (!email.success) throw new PersonCliError('--email: required, a valid address.')
  if (erase && values.yes !== true) throw new PersonCliError('--yes: required to erase (erasure cannot be undone; run person:export first to keep a copy).')
  // An archived platform's people keep their rights: the operator reaches them too.
  const platform = await findAnyPlatformBySlug(deps.db, values.platform)
  if (!platform) throw new PersonCliError(`--platform: unknown platform "${values.platform}".`)
  return { platform: { id: platform.id, slug: platform.slug }, email: email.data }
}

/** The JSON document, to print. */
export async function personExportCli(argv: string[], deps: PersonCliDeps): Promise<string> {
  const { platform, email } = await parse(argv, deps, false)
  const doc = await exportPerson({ db: deps.db, platform, email, now: deps.now, actor: { kind: 'operator' } })
  return JSON.stringify(doc, null, 2)
}

/** One line saying what was erased (or that nothing was held). */
export async function personEraseCli(argv: string[], deps: PersonCliDeps): Promise<string> {
  const { platform, email } = await parse(argv, deps, true)
  const report = await erasePerson({ db: deps.db, platformId: platform.id, email, now: deps.now, dataDir: deps.dataDir, actor: { kind: 'operator' } })
  const tables = Object.entries(report.changed).map(([t, n]) => `${t} ${n}`).join(', ')
  if (!tables && report.dropped === 0) return `Nothing held about this address on ${platform.slug}: nothing changed.`
  return `Erased on ${platform.slug}: ${tables || 'no row kept'}; ${report.dropped} queued message(s) dropped, ${report.retiredLinks} personal link(s) retired.`
}
