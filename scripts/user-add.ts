import { createInterface } from 'node:readline/promises'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { hashPassword, passwordProblem } from '../src/platforms/passwords.js'
import { findPlatformBySlug, upsertFacilitator } from '../src/platforms/store.js'

// `npm run user:add -- --email E --name N [--platform SLUG]`; password from FABRIK_PASSWORD, else prompted.

async function promptPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('No terminal to ask the password: set FABRIK_PASSWORD.')
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true })
  // Hide what is typed.
  const out = rl as unknown as { _writeToOutput: (s: string) => void }
  let asking = false
  const original = out._writeToOutput.bind(rl)
  out._writeToOutput = (s: string) => (asking ? original(s.includes('\n') ? '\n' : '') : original(s))
  process.stdout.write('Password: ')
  asking = true
  const password = await rl.question('')
  rl.close()
  return password
}

async function main() {
  const { values } = parseArgs({ options: { email: { type: 'string' }, name: { type: 'string' }, platform: { type: 'string' } } })
  const email = z.email().safeParse(values.email?.trim())
  if (!email.success) throw new Error('--email must be a valid address.')
  const name = values.name?.trim()
  if (!name) throw new Error('--name is required.')
  const password = process.env.FABRIK_PASSWORD ?? (await promptPassword())
  const problem = passwordProblem(password)
  if (problem) throw new Error(problem)

  const db = createDatabase(loadConfig())
  try {
    await migrateToLatest(db)
    let platformId: number | null = null
    if (values.platform) {
      const platform = await findPlatformBySlug(db, values.platform)
      if (!platform) throw new Error(`Unknown platform "${values.platform}" (run npm run seed:demo for lens-lievin).`)
      platformId = platform.id
    }
    const result = await upsertFacilitator(db, { email: email.data, name, passwordHash: await hashPassword(password), platformId, now: new Date().toISOString() })
    console.log(`${result.created ? 'Created' : 'Updated'} facilitator ${email.data}${values.platform ? ` on ${values.platform}` : ''}.`)
  } finally {
    await db.destroy()
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
})
