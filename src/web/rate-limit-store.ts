import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import { sql } from 'kysely'
import type { Db } from '../db/schema.js'

// Rate-limit counters in the database, so that several app instances on one PostgreSQL share them
// (an in-memory counter per instance would multiply every limit by the number of instances).
// Fixed windows, one atomic upsert per counted request. Counters are not data anyone reads: writing
// them on a GET changes nothing a person can see.

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void

export function databaseRateLimitStore(db: Db, clock: () => Date): FastifyRateLimitStoreCtor {
  return class DatabaseStore {
    // The plugin constructs the store with its options; children get a per-route prefix.
    constructor(_options: unknown, private readonly prefix = 'global') {}

    incr(key: string, callback: Callback, timeWindow: number) {
      const now = clock()
      const nowIso = now.toISOString()
      const endIso = new Date(now.getTime() + timeWindow).toISOString()
      const fullKey = `${this.prefix}:${key}`
      db.insertInto('rate_limit')
        .values({ key: fullKey, count: 1, window_ends_at: endIso })
        .onConflict((oc) => oc.column('key').doUpdateSet({
          count: sql<number>`case when rate_limit.window_ends_at > ${nowIso} then rate_limit.count + 1 else 1 end`,
          window_ends_at: sql<string>`case when rate_limit.window_ends_at > ${nowIso} then rate_limit.window_ends_at else ${endIso} end`,
        }))
        .returning(['count', 'window_ends_at'])
        .executeTakeFirstOrThrow()
        .then((row) => callback(null, { current: Number(row.count), ttl: Math.max(0, Date.parse(row.window_ends_at) - now.getTime()) }), callback)
    }

    /** The current count without counting this request (`{ increment: false }`). */
    read(key: string, callback: Callback, timeWindow: number) {
      const now = clock()
      db.selectFrom('rate_limit').select(['count', 'window_ends_at']).where('key', '=', `${this.prefix}:${key}`).executeTakeFirst()
        .then((row) => {
          const alive = row && row.window_ends_at > now.toISOString()
          callback(null, alive ? { current: Number(row.count), ttl: Date.parse(row.window_ends_at) - now.getTime() } : { current: 0, ttl: timeWindow })
        }, callback)
    }

    // A route's limit counts under its method and URL. Limiters made with createRateLimit() or rateLimit()
    // have no route (the plugin hands them an empty routeInfo): they share the prefix `limiter`, and each
    // one's keyGenerator names it (`guess:…`, `not-found:…`), so their counters never mix.
    child(routeOptions: object) {
      const r = (routeOptions as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo
      return new DatabaseStore(null, r?.url ? `${String(r.method)}:${r.url}` : 'limiter')
    }
  }
}

/** Old windows are deleted now and then, so the table stays small. */
export function purgeRateLimits(db: Db, now: Date) {
  return db.deleteFrom('rate_limit').where('window_ends_at', '<', now.toISOString()).execute()
}
