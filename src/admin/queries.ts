import { sql } from 'kysely'
import type { Db } from '../db/schema.js'

// The instance administrators' overview: read-only queries over sessions and pitches of every platform (a
// top floor, like indicators/: it reads the others' tables and writes none). Each figure is one grouped
// query, whatever the number of platforms.

export interface YearFigures {
  /** Published sessions of the year whose end has passed. */
  held: number
  /** Published sessions of the year, held or to come. */
  published: number
  cancelled: number
  /** Confirmed pitches on the year's published sessions, and the distinct holders behind them. */
  pitches: number
  holders: number
}

const year = sql<string>`substr(session.date, 1, 4)`

/**
 * Each platform's figures for `years.get(platformId)` (the current year in its own zone), and the date of its
 * next published session not yet over.
 */
export async function platformOverview(db: Db, years: Map<number, number>, now: Date) {
  const nowIso = now.toISOString()
  const all = [...years.values()]
  const from = `${Math.min(...all, 9999)}-01-01`
  const to = `${Math.max(...all, 1000)}-12-31`
  const [sessions, pitches, next] = await Promise.all([
    db.selectFrom('session')
      .select((eb) => [
        'session.platform_id', year.as('year'),
        eb.fn.sum<number | string>(eb.case().when(eb.and([eb('status', '=', 'published'), eb('ends_at', '<=', nowIso)])).then(1).else(0).end()).as('held'),
        eb.fn.sum<number | string>(eb.case().when('status', '=', 'published').then(1).else(0).end()).as('published'),
        eb.fn.sum<number | string>(eb.case().when('status', '=', 'cancelled').then(1).else(0).end()).as('cancelled'),
      ])
      .where('session.date', '>=', from).where('session.date', '<=', to)
      .groupBy(['session.platform_id', year]).execute(),
    db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id')
      .select((eb) => ['session.platform_id', year.as('year'), eb.fn.countAll<number | string>().as('pitches'),
        eb.fn.count<number | string>('pitch.holder_id').distinct().as('holders')])
      .where('pitch.status', '=', 'confirmed').where('session.status', '=', 'published')
      .where('session.date', '>=', from).where('session.date', '<=', to)
      .groupBy(['session.platform_id', year]).execute(),
    db.selectFrom('session').select((eb) => ['platform_id', eb.fn.min('date').as('date')])
      .where('status', '=', 'published').where('ends_at', '>', nowIso).groupBy('platform_id').execute(),
  ])
  const figures = new Map<number, YearFigures>()
  for (const [platformId, y] of years) {
    const s = sessions.find((r) => r.platform_id === platformId && Number(r.year) === y)
    const p = pitches.find((r) => r.platform_id === platformId && Number(r.year) === y)
    figures.set(platformId, {
      held: Number(s?.held ?? 0), published: Number(s?.published ?? 0), cancelled: Number(s?.cancelled ?? 0),
      pitches: Number(p?.pitches ?? 0), holders: Number(p?.holders ?? 0),
    })
  }
  return { figures, nextDates: new Map(next.map((r) => [r.platform_id, String(r.date)])) }
}
