import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatLongDate, todayIn } from '../calendar/zoned.js'
import { listAllPlatforms } from '../platforms/store.js'
import { errorPage } from '../web/errors.js'
import { requireAdmin } from '../web/guards.js'
import { page } from '../web/views.js'
import { barChart } from './chart.js'
import { computeIndicators, type PeriodRows } from './compute.js'
import { toCsv } from './csv.js'
import { MEDIAN_LABEL, networkCsv, networkRows } from './network.js'
import { parsePeriod, type Period, periodQuery, periodSlug, periodTitle, periodWords } from './period.js'
import { loadPlatforms } from './queries.js'

// "Réseau" (#21): the instance administrators' view of every platform's Bilan for one period, side by side and
// summed, as a page and a CSV. A constant number of queries whatever the number of platforms: the platforms,
// then loadPlatforms' one query per table for all of them. Registered under /admin (app.ts); facilitators are
// refused (403) before anything is read, as on the other administrators' pages.

/** Every platform's rows in one, for the figures that do not add up (the median days to "aboutie"). */
function pooled(period: Period, all: PeriodRows[]): PeriodRows {
  const cat = <K extends keyof PeriodRows>(k: K) => all.flatMap((r) => r[k] as unknown[]) as PeriodRows[K]
  return {
    period, sessions: cat('sessions'), communes: cat('communes'), pitches: cat('pitches'), earlierHolderIds: cat('earlierHolderIds'),
    attendance: cat('attendance'), invitations: cat('invitations'), partners: cat('partners'), advice: cat('advice'),
    referrals: cat('referrals'), referralSucceededEvents: cat('referralSucceededEvents'), records: cat('records'),
  }
}

export async function networkRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  app.addHook('onRequest', requireAdmin)

  async function network(period: Period) {
    const now = ctx.clock().toISOString()
    const platforms = await listAllPlatforms(ctx.db)
    const rows = await loadPlatforms(ctx.db, platforms.map((p) => p.id), period, now)
    const figures = platforms.map((p) => computeIndicators(rows.get(p.id)!, now))
    const median = { values: figures.map((f) => f.medianDaysToSucceeded), total: computeIndicators(pooled(period, [...rows.values()]), now).medianDaysToSucceeded }
    return { platforms, figures, rows: networkRows(figures), median }
  }

  /** The period asked, the current calendar year (UTC) by default. */
  const periodOf = (request: FastifyRequest) => parsePeriod(request.query as Record<string, unknown>, Number(ctx.clock().toISOString().slice(0, 4)))
  const badPeriod = (request: FastifyRequest, reply: FastifyReply, message: string) => errorPage(request, reply, 400, 'Période invalide', message)

  app.get('/network', async (request, reply) => {
    const asked = periodOf(request)
    if (!asked.ok) {
      return page(request, reply, 'admin/network.eta', { title: 'Réseau', net: null, asked: asked.values, periodError: asked.message }, 400)
    }
    const period = asked.period
    const net = await network(period)
    const held = net.rows.find((r) => r.key === 'sessionsHeld')!
    return page(request, reply, 'admin/network.eta', {
      title: `Réseau : bilan ${periodTitle(period)}`, net, period, year: period.year, label: periodTitle(period), words: periodWords(period), q: periodQuery(period),
      asked: { year: period.year === null ? '' : String(period.year), from: period.year === null ? period.from : '', to: period.year === null ? period.to : '' },
      periodError: null, medianLabel: MEDIAN_LABEL, producedLong: formatLongDate(todayIn('UTC', ctx.clock())).toLowerCase(),
      chart: barChart('Séances tenues par plateforme', net.platforms.map((p, i) => ({ label: p.name, value: held.values[i]! }))),
    })
  })

  app.get('/network.csv', async (request, reply) => {
    const asked = periodOf(request)
    if (!asked.ok) return badPeriod(request, reply, asked.message)
    const net = await network(asked.period)
    const when = asked.period.year ?? `${asked.period.from} – ${asked.period.to}`
    return reply.header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="reseau-${periodSlug(asked.period)}.csv"`)
      .type('text/csv; charset=utf-8').send(toCsv(networkCsv(net.platforms.map((p) => p.name), net.rows, when, net.median)))
  })
}
