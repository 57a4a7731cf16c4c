import type argon2Module from '@node-rs/argon2'
import { requireLater } from '../require-later.js'

// The native argon2 module is loaded at the first login, not with every page at start-up.
const load = requireLater<typeof argon2Module>('@node-rs/argon2')

// argon2id with OWASP's minimum (19 MiB, t=2, p=1); parameters live in the PHC string so they can be raised.
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 }

export function hashPassword(password: string): Promise<string> {
  const { hash, Algorithm } = load()
  return hash(password, { ...OPTIONS, algorithm: Algorithm.Argon2id })
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await load().verify(stored, password)
  } catch {
    return false
  }
}

// Used when the address is unknown, so that a wrong address costs as much time as a wrong password.
let dummy: Promise<string> | undefined
export async function burnPasswordTime(password: string): Promise<void> {
  dummy ??= hashPassword('fabrik-dummy-password')
  await verifyPassword(await dummy, password)
}

export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'Le mot de passe doit compter au moins 12 caractères.'
  if (password.length > 256) return 'Le mot de passe doit compter 256 caractères au plus.'
  return null
}
