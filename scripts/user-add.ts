import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { findFacilitatorById, setAdminRole } from '../src/platforms/accounts.js'
import { removeTotp } from '../src/platforms/totp-store.js'
import { hashPassword, passwordProblem } from '../src/platforms/passwords.js'
import { countFacilitators, findFacilitatorByEmail, findPlatformBySlug, setAdmin, upsertFacilitator } from '../src/platforms/store.js'

// `npm run user:add -- --email E --name N [--platform SLUG] [--admin | --no-admin] [--reset-totp]`; password
// from FABRIK_PASSWORD, else prompted. --admin makes (or promotes) an instance administrator; --no-admin takes
// the role back (never from the last administrator); the first user of an empty instance is asked whether to
// be one. --reset-totp turns off an account's two-factor login (a lost phone and lost recovery codes, when no
// administrator can do it from the Comptes page). Changing an existing user without FABRIK_PASSWORD keeps their
// password.

async function ask(question: string, hidden: boolean): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  const out = rl as unknown as { _writeToOutput: (s: string) => void }
  let asking = false
  const original = out._writeToOutput.bind(rl)
  // Hide what is typed for a password.
  if (hidden) out._writeToOutput = (s: string) => (asking ? original(s.includes('\n') ? '\n' : '') : original(s))
  process.stdout.write(question)
  asking = true
  const answer = await rl.question('')
  rl.close()
  return answer
}

async function main() {
  const { values } = parseArgs({
    options: { email: { type: 'string' }, name: { type: 'string' }, platform: { type: 'string' }, admin: { type: 'boolean' }, 'no-admin': { type: 'boolean' }, 'reset-totp': { type: 'boolean' } },
  })
  const email = z.email().safeParse(values.email?.trim())
  if (!email.success) throw new Error('--email must be a valid address.')
  const name = values.name?.trim()
  if (!name) throw new Error('--name is required.')
  const interactive = Boolean(process.stdin.isTTY)
  const demote = values['no-admin'] === true
  if (demote && values.admin) throw new Error('--admin and --no-admin: choose one.')
  const resetTotp = values['reset-totp'] === true

  const db = createDatabase(loadConfig())
  try {
    await migrateToLatest(db)
    let platformId: number | null = null
    if (values.platform) {
      const platform = await findPlatformBySlug(db, values.platform)
      if (!platform) throw new Error(`--platform: unknown platform "${values.platform}" (create it with npm run platform:add, or npm run seed:demo for lens-lievin).`)
      platformId = platform.id
    }
    const existing = await findFacilitatorByEmail(db, email.data)
    let admin = values.admin === true
    if (!admin && !demote && !existing && (await countFacilitators(db)) === 0) {
      if (interactive) {
        const answer = await ask('This is the first user of this instance. Make them an administrator (they create and archive platforms)? [Y/n] ', false)
        admin = !/^n/i.test(answer.trim())
      } else {
        console.log('This is the first user of this instance: without a terminal to ask, they are not an administrator (run again with --admin to make them one).')
      }
    }

    let password = process.env.FABRIK_PASSWORD
    if ((demote || resetTotp) && !existing) throw new Error(`${demote ? '--no-admin' : '--reset-totp'}: there is no account ${email.data}.`)
    // Checked before anything changes: the last administrator keeps the role.
    if (demote && (await setAdminRole(db, existing!.id, false)) === 'last-admin') {
      throw new Error(`--no-admin: ${email.data} is the last administrator of this instance; make another one first (--admin).`)
    }
    if (password === undefined && !(existing && (admin || demote || resetTotp))) {
      if (!interactive) throw new Error('No terminal to ask the password: set FABRIK_PASSWORD.')
      password = await ask('Password: ', true)
    }
    if (password !== undefined) {
      const problem = passwordProblem(password)
      if (problem) throw new Error(problem)
    }
    const now = new Date().toISOString()
    const result = password !== undefined
      ? await upsertFacilitator(db, { email: email.data, name, passwordHash: await hashPassword(password), platformId, now })
      : await upsertFacilitator(db, { email: email.data, name, passwordHash: existing!.password_hash, platformId, now })
    if (admin) await setAdmin(db, result.id)
    if (resetTotp && (await removeTotp(db, result.id))) console.log(`Two-factor login of ${email.data} is off: their password alone logs in.`)
    const role = (await findFacilitatorById(db, result.id))?.admin === 1 ? 'administrator' : 'facilitator'
    console.log(`${result.created ? 'Created' : 'Updated'} ${role} ${email.data}${values.platform ? ` on ${values.platform}` : ''}.`)
    if (admin) console.log('They manage the platforms at /admin/platforms.')
  } finally {
    await db.destroy()
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
