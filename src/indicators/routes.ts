import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { formatLongDate, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { DOMAINS, STAGES } from '../pitches/forms.js'
import { errorPage } from '../web/errors.js'
import { type FieldErrors, integer, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { gauge } from './chart.js'
import { computeIndicators, type Indicators } from './compute.js'
import { toCsv } from './csv.js'
import { INDICATOR_KEYS, type Targets } from './keys.js'
import { MAX_YEAR, MIN_YEAR, type Period, parsePeriod, periodQuery, periodSlug, periodTitle, periodWords, yearPeriod } from './period.js'
import { loadPeriod } from './queries.js'
import { charts, CSV_TABLES, indicatorRows, isCsvTable, KIND_LABELS, MODE_LABELS, STATUS_LABELS } from './report.js'
import { saveTargets, targetsOf } from './store.js'
import { reportWorkbook, XLSX_TYPE } from './xlsx.js'

// "Bilan" (#21): a period's indicators (a calendar year by default, or ?from=&to=) against the targets the
// facilitator set for the year, as a page, report.json and report.csv (CONTRACT.md), report.xlsx and an A4
// print view. Registered inside the /admin/p/:slug scope (app.ts): the platform is checked.

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
/** A target: a whole number from 0 to 100 000, or empty for none. */
const targetField = z.string({ error: 'Valeur invalide.' }).optional().transform((s) => (s ?? '').trim())
  .refine((s) => s === '' || /^\d{1,6}$/.test(s), 'Indiquez un nombre entier positif, ou laissez vide.')
  .transform((s) => (s === '' ? null : Number(s)))
  .refine((n) => n === null || n <= 100_000, 'Un objectif va de 0 à 100 000.')
const targetsForm = z.object({
  year: integer(MIN_YEAR, MAX_YEAR),
  ...Object.fromEntries(INDICATOR_KEYS.map((k) => [`target_${k}`, targetField])),
}) as z.ZodType<{ year: number } & Record<string, number | null>>

export async function indicatorRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  const currentYear = (platform: Platform) => Number(todayIn(platform.timezone, ctx.clock()).slice(0, 4))
  const periodOf = (request: FastifyRequest, platform: Platform) => parsePeriod(request.query as Record<string, unknown>, currentYear(platform))

  async function figures(platform: Platform, period: Period): Promise<Indicators> {
    const now = ctx.clock().toISOString()
    // Targets are per calendar year: another range shows none.
    const [rows, targets] = await Promise.all([loadPeriod(ctx.db, platform.id, period, now), period.year === null ? {} : targetsOf(ctx.db, platform.id, period.year)])
    return computeIndicators(rows, now, targets)
  }

  const badPeriod = (request: FastifyRequest, reply: FastifyReply, message: string) =>
    errorPage(request, reply, 400, 'Période invalide', message)

  const common = (platform: Platform, period: Period, ind: Indicators) => ({
    platform, base: platformBase(platform), period, year: period.year, q: periodQuery(period), label: periodTitle(period), words: periodWords(period),
    ind, rows: indicatorRows(ind), charts: charts(ind), gauge,
    modeLabels: MODE_LABELS, kindLabels: KIND_LABELS, statusLabels: STATUS_LABELS, domainLabels: DOMAINS, stageLabels: STAGES,
    producedLong: lowerFirst(formatLongDate(todayIn(platform.timezone, ctx.clock()))),
  })

  async function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, period: Period, values: Record<string, unknown> | null, errors: FieldErrors, status = 200) {
    const ind = await figures(platform, period)
    const filled = values ?? Object.fromEntries(INDICATOR_KEYS.map((k) => [`target_${k}`, ind.targets[k] === undefined ? '' : String(ind.targets[k])]))
    const saved = (request.query as Record<string, unknown>).ok === 'targets'
    const asked = { year: period.year === null ? '' : String(period.year), from: period.year === null ? period.from : '', to: period.year === null ? period.to : '' }
    return page(request, reply, 'admin/indicators.eta', { title: `Bilan ${periodTitle(period)}`, ...common(platform, period, ind), values: filled, errors, saved, asked, periodError: null }, status)
  }

  app.get('/indicators', async (request, reply) => {
    const platform = platformOf(request)
    const asked = periodOf(request, platform)
    if (!asked.ok) {
      // The period form again, filled in as it was sent, with the reason in French.
      return page(request, reply, 'admin/indicators.eta', {
        title: 'Bilan', platform, base: platformBase(platform), ind: null, asked: asked.values, periodError: asked.message, errors: {},
      }, 400)
    }
    return render(request, reply, platform, asked.period, null, {})
  })

  // The funder's annex: the same tables on A4, with the platform, the period and the day it was produced.
  app.get('/indicators/print', async (request, reply) => {
    const platform = platformOf(request)
    const asked = periodOf(request, platform)
    if (!asked.ok) return badPeriod(request, reply, asked.message)
    const title = `Bilan ${periodTitle(asked.period)} — ${platform.name}`
    return page(request, reply, 'admin/indicators-print.eta', { ...common(platform, asked.period, await figures(platform, asked.period)), title, printing: true })
  })

  app.post('/indicators/targets', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(targetsForm, request.body)
    const asked = Number((form.values as Record<string, unknown>).year)
    if (!form.ok) {
      const year = Number.isInteger(asked) && asked >= MIN_YEAR && asked <= MAX_YEAR ? asked : currentYear(platform)
      return render(request, reply, platform, yearPeriod(year), form.values, form.errors, 400)
    }
    const targets: Targets = {}
    for (const k of INDICATOR_KEYS) {
      const v = form.data[`target_${k}`]
      if (v !== null && v !== undefined) targets[k] = v
    }
    await saveTargets(ctx.db, platform.id, form.data.year, targets, request.login?.facilitatorId ?? null, ctx.clock().toISOString())
    request.log.info({ platform: platform.id, year: form.data.year }, 'targets saved')
    return reply.redirect(`${platformBase(platform)}/indicators?year=${form.data.year}&ok=targets#objectifs`, 303)
  })

  app.get('/report.json', async (request, reply) => {
    const platform = platformOf(request)
    const asked = periodOf(request, platform)
    if (!asked.ok) return reply.code(400).send({ error: `Période invalide : ${asked.message}` })
    reply.header('cache-control', 'private, no-store')
    return figures(platform, asked.period)
  })

  const fileName = (platform: Platform, period: Period, table?: string) => `bilan-${platform.slug}-${periodSlug(period)}${table ? `-${table}` : ''}`

  app.get('/report.csv', async (request, reply) => {
    const platform = platformOf(request)
    const asked = periodOf(request, platform)
    if (!asked.ok) return badPeriod(request, reply, asked.message)
    const table = (request.query as Record<string, unknown>).table ?? 'indicators'
    if (!isCsvTable(table)) return errorPage(request, reply, 400, 'Tableau inconnu', `Tableaux disponibles : ${Object.keys(CSV_TABLES).join(', ')}.`)
    const ind = await figures(platform, asked.period)
    return reply.header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="${fileName(platform, asked.period, table === 'indicators' ? undefined : table)}.csv"`)
      .type('text/csv; charset=utf-8').send(toCsv(CSV_TABLES[table](ind)))
  })

  // The whole report as one workbook: one sheet per table.
  app.get('/report.xlsx', async (request, reply) => {
    const platform = platformOf(request)
    const asked = periodOf(request, platform)
    if (!asked.ok) return badPeriod(request, reply, asked.message)
    const ind = await figures(platform, asked.period)
    const book = await reportWorkbook(ind, { platform: platform.name, period: periodTitle(asked.period), produced: ctx.clock() })
    return reply.header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="${fileName(platform, asked.period)}.xlsx"`)
      .type(XLSX_TYPE).send(book)
  })
}
