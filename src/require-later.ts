import { createRequire } from 'node:module'

const load = createRequire(import.meta.url)

/**
 * A CommonJS module loaded the first time it is used rather than at start-up: for what only some requests
 * or some deployments need (holidays and recurrence rules when planning, the PostgreSQL driver, the mail
 * transport, password hashing), which together cost a few hundred ms and tens of MB at start.
 */
export function requireLater<T>(specifier: string): () => T {
  let module: T | undefined
  return () => (module ??= load(specifier) as T)
}
