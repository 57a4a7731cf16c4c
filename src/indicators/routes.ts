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
import { loadYear } from './queries.js'
import { charts, CSV_TABLES, indicatorRows, isCsvTable, KIND_LABELS, MODE_LABELS, STATUS_LABELS } from './report.js'
import { saveTargets, targetsOf } from './store.js'

// "Bilan" (#21): the year's indicators against the targets the facilitator set, as a page, report.json and
// report.csv (CONTRACT.md). Registered inside the /admin/p/:slug scope (app.ts): the platform is checked.

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1)
const MIN_YEAR = 2000
const MAX_YEAR = 2100
const yearQuery = z.object({ year: z.string().regex(/^\d{4}$/).transform(Number).refine((y) => y >= MIN_YEAR && y <= MAX_YEAR).optional() })
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

  /** The year asked (the platform's current year by default), or null when the query is not a year. */
  function yearOf(request: FastifyRequest, platform: Platform): number | null {
    const q = yearQuery.safeParse({ year: (request.query as Record<string, unknown>).year })
    if (!q.success) return null
    return q.data.year ?? currentYear(platform)
  }

  async function figures(platform: Platform, year: number): Promise<Indicators> {
    const now = ctx.clock().toISOString()
    const [rows, targets] = await Promise.all([loadYear(ctx.db, platform.id, year, now), targetsOf(ctx.db, platform.id, year)])
    return computeIndicators(rows, now, targets)
  }

  const badYear = (request: FastifyRequest, reply: FastifyReply) =>
    errorPage(request, reply, 400, 'Année invalide', `Indiquez une année sur quatre chiffres, entre ${MIN_YEAR} et ${MAX_YEAR}.`)

  const common = (platform: Platform, year: number, ind: Indicators) => ({
    platform, base: platformBase(platform), year, ind, rows: indicatorRows(ind), charts: charts(ind), gauge,
    modeLabels: MODE_LABELS, kindLabels: KIND_LABELS, statusLabels: STATUS_LABELS, domainLabels: DOMAINS, stageLabels: STAGES,
    producedLong: lowerFirst(formatLongDate(todayIn(platform.timezone, ctx.clock()))),
  })

  async function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, year: number, values: Record<string, unknown> | null, errors: FieldErrors, status = 200) {
    const ind = await figures(platform, year)
    const filled = values ?? Object.fromEntries(INDICATOR_KEYS.map((k) => [`target_${k}`, ind.targets[k] === undefined ? '' : String(ind.targets[k])]))
    const saved = (request.query as Record<string, unknown>).ok === 'targets'
    return page(request, reply, 'admin/indicators.eta', { title: `Bilan ${year}`, ...common(platform, year, ind), values: filled, errors, saved }, status)
  }

  app.get('/indicators', async (request, reply) => {
    const platform = platformOf(request)
    const year = yearOf(request, platform)
    if (year === null) return badYear(request, reply)
    return render(request, reply, platform, year, null, {})
  })

  // The funder's annex: the same tables on A4, with the platform, the period and the day it was produced.
  app.get('/indicators/print', async (request, reply) => {
    const platform = platformOf(request)
    const year = yearOf(request, platform)
    if (year === null) return badYear(request, reply)
    return page(request, reply, 'admin/indicators-print.eta', { title: `Bilan ${year} — ${platform.name}`, ...common(platform, year, await figures(platform, year)), printing: true })
  })

  app.post('/indicators/targets', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(targetsForm, request.body)
    const asked = Number((form.values as Record<string, unknown>).year)
    if (!form.ok) {
      const year = Number.isInteger(asked) && asked >= MIN_YEAR && asked <= MAX_YEAR ? asked : currentYear(platform)
      return render(request, reply, platform, year, form.values, form.errors, 400)
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
    const year = yearOf(request, platform)
    if (year === null) return reply.code(400).send({ error: 'Année invalide : indiquez year=AAAA.' })
    reply.header('cache-control', 'private, no-store')
    return figures(platform, year)
  })

  app.get('/report.csv', async (request, reply) => {
    const platform = platformOf(request)
    const year = yearOf(request, platform)
    if (year === null) return badYear(request, reply)
    const table = (request.query as Record<string, unknown>).table ?? 'indicators'
    if (!isCsvTable(table)) return errorPage(request, reply, 400, 'Tableau inconnu', `Tableaux disponibles : ${Object.keys(CSV_TABLES).join(', ')}.`)
    const ind = await figures(platform, year)
    const name = table === 'indicators' ? `bilan-${platform.slug}-${year}` : `bilan-${platform.slug}-${year}-${table}`
    return reply.header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .type('text/csv; charset=utf-8').send(toCsv(CSV_TABLES[table](ind)))
  })
}
