import type { Db } from '../db/schema.js'
import { INDICATOR_KEYS, isIndicatorKey, type Targets } from './keys.js'

// The target table (indicators/ owns it): a platform's targets for a year, one row per indicator set.

export async function targetsOf(db: Db, platformId: number, year: number): Promise<Targets> {
  const rows = await db.selectFrom('target').select(['indicator', 'value']).where('platform_id', '=', platformId).where('year', '=', year).execute()
  const targets: Targets = {}
  for (const r of rows) if (isIndicatorKey(r.indicator)) targets[r.indicator] = Number(r.value)
  return targets
}

/** Replaces the year's targets with these (a key left out has no target any more), all or nothing. */
export async function saveTargets(db: Db, platformId: number, year: number, targets: Targets, by: number | null, now: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('target').where('platform_id', '=', platformId).where('year', '=', year).execute()
    const rows = INDICATOR_KEYS.filter((k) => targets[k] !== undefined)
      .map((k) => ({ platform_id: platformId, year, indicator: k, value: targets[k]!, updated_by: by, updated_at: now }))
    if (rows.length) await trx.insertInto('target').values(rows).execute()
  })
}
