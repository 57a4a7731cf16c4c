import type { Eta } from 'eta'
import type { Config } from './config.js'
import type { Db } from './db/schema.js'

/** What every route and background job is handed: no module-level singletons. */
export interface AppContext {
  config: Config
  db: Db
  clock: () => Date
  views: Eta
}

export const systemClock = (): Date => new Date()

export function nowIso(ctx: Pick<AppContext, 'clock'>): string {
  return ctx.clock().toISOString()
}
