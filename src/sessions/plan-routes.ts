import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { formatLongDate, todayIn } from '../calendar/zoned.js'
import type { Db, Platform } from '../db/schema.js'
import { platformBase, platformOf } from '../platforms/access.js'
import { homePlace, listCommunes, listVenues } from '../platforms/store.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { MONTHS, planForm, yearForm } from './forms.js'
import { draftsFromPlan, type PlanRequest, type PlanRow, proposePlan, skippedMonthNames, usualSkipMonths } from './planning.js'
import { hostingHistory, insertSession, listSessions, publishYear } from './store.js'

// The year planner: GET /plan shows the proposal (the rule's dates, the holidays that moved them, the commune
// the rotation proposes for each, editable per row) and writes nothing, nor does POST /plan with "preview" (the
// form's "Voir la proposition"); POST /plan creates the new dates as drafts, with the communes chosen (the
// proposal's for a date the form did not show), in one transaction; dates that already have a session are left
// alone, so a second plan of a year duplicates nothing.
// Registered in the platform scope (/admin/p/{slug}, app.ts).

/** The field that carries a row's commune in the confirming form. */
export const communeField = (date: string) => `commune_${date}`

/** What the proposal is made of, read in one go (on the confirming POST, inside its transaction). */
async function planFacts(db: Db, platform: Platform, year: number) {
  const [existing, communes, history, home] = await Promise.all([
    listSessions(db, platform.id, { from: `${year}-01-01`, to: `${year}-12-31` }),
    listCommunes(db, platform.id),
    hostingHistory(db, platform.id),
    homePlace(db, platform), // a platform that always meets at its own venue
  ])
  const venue = home ? (await listVenues(db, platform.id)).find((v) => v.id === home.venue_id) : undefined
  return { existing, communes, history, home, homeLabel: venue ? `${venue.name}, ${venue.commune_name}` : null }
}

type Facts = Awaited<ReturnType<typeof planFacts>>

/** The communes chosen per row: '' is "to be decided", an id must be one of the platform's communes. */
function chosenCommunes(body: Record<string, unknown>, dates: string[], communes: Facts['communes']) {
  const known = new Set(communes.map((c) => c.id))
  const chosen = new Map<string, number | null>()
  const errors: FieldErrors = {}
  for (const date of dates) {
    const raw = body[communeField(date)]
    if (raw === undefined) continue
    const value = typeof raw === 'string' ? raw.trim() : ''
    if (value === '') chosen.set(date, null)
    else if (/^\d{1,9}$/.test(value) && known.has(Number(value))) chosen.set(date, Number(value))
    else errors[communeField(date)] = 'Choisissez une commune de la liste.'
  }
  return { chosen, errors }
}

export async function planRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const uidHost = new URL(ctx.config.publicUrl).hostname

  function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors,
    plan: { request: PlanRequest; facts: Facts; rows?: PlanRow[] } | null, status = 200) {
    const rows = plan ? plan.rows ?? proposePlan(platform, plan.request, plan.facts) : []
    const names = new Map(plan?.facts.communes.map((c) => [c.id, c.name]) ?? [])
    const home = plan?.facts.home ?? null
    const shown = rows.map((r) => ({ ...r, longDate: formatLongDate(r.date), ruleLongDate: formatLongDate(r.ruleDate) }))
    return page(request, reply, 'admin/plan.eta', {
      title: "Planifier l'année", platform, base: platformBase(platform), values, errors, months: MONTHS,
      preview: plan && {
        year: plan.request.year, communes: plan.facts.communes, itinerant: home === null,
        homeLabel: plan.facts.homeLabel,
        existing: plan.facts.existing.length, fresh: rows.filter((r) => r.existing === null).length,
        moved: rows.filter((r) => r.movedBecause !== null && r.existing === null).length,
        skipped: skippedMonthNames(plan.request.skipMonths), communeName: (id: number | null) => (id === null ? null : names.get(id) ?? null),
        field: communeField, rows: shown,
      },
    }, status)
  }

  /** The proposal of the form's year; with no query, the next year with the platform's usual settings. */
  app.get('/plan', async (request, reply) => {
    const platform = platformOf(request)
    const query = request.query as Record<string, unknown>
    const usual = { year: String(Number(todayIn(platform.timezone, ctx.clock()).slice(0, 4)) + 1), skip: usualSkipMonths(platform), start_time: platform.default_start, end_time: platform.default_end }
    // "?year=2028" alone: that year with the usual months and times.
    const values = query.year === undefined ? usual : query.start_time === undefined ? { ...usual, year: query.year } : query
    const form = parseForm(planForm, values)
    if (!form.ok) return render(request, reply, platform, form.values, form.errors, null, 400)
    const planRequest = toRequest(form.data)
    return render(request, reply, platform, form.values, {}, { request: planRequest, facts: await planFacts(ctx.db, platform, planRequest.year) })
  })

  app.post('/plan', async (request, reply) => {
    const platform = platformOf(request)
    const body = (request.body ?? {}) as Record<string, unknown>
    const form = parseForm(planForm, body)
    if (!form.ok) return render(request, reply, platform, form.values, form.errors, null, 400)
    const planRequest = toRequest(form.data)
    // "Voir la proposition": the same form, answered with the proposal; nothing is written.
    if (body.preview !== undefined) {
      return render(request, reply, platform, form.values, {}, { request: planRequest, facts: await planFacts(ctx.db, platform, planRequest.year) })
    }
    type Outcome = { created: number } | { errors: FieldErrors; facts: Facts; rows: PlanRow[] }
    const outcome = await ctx.db.transaction().execute(async (trx): Promise<Outcome> => {
      const facts = await planFacts(trx, platform, planRequest.year)
      const rows = proposePlan(platform, planRequest, facts)
      const { chosen, errors } = chosenCommunes(body, rows.map((r) => r.date), facts.communes)
      if (Object.keys(errors).length) return { errors, facts, rows }
      const now = ctx.clock().toISOString()
      const drafts = draftsFromPlan(rows, planRequest, chosen, facts.home)
      for (const d of drafts) await insertSession(trx, platform, d, uidHost, now)
      return { created: drafts.length }
    })
    if ('errors' in outcome) return render(request, reply, platform, form.values, outcome.errors, { request: planRequest, facts: outcome.facts, rows: outcome.rows }, 400)
    // Nothing created (every date already had a session): the home says so.
    return reply.redirect(`${platformBase(platform)}?year=${planRequest.year}${outcome.created === 0 ? '&planned=0' : ''}`, 303)
  })

  app.post('/publish', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(yearForm, request.body)
    if (!form.ok) return reply.redirect(platformBase(platform), 303)
    const { year } = form.data
    await publishYear(ctx.db, platform.id, year, ctx.clock().toISOString())
    return reply.redirect(`${platformBase(platform)}?year=${year}`, 303)
  })
}

function toRequest(data: { year: number; skip: string[]; start_time: string; end_time: string }): PlanRequest {
  return { year: data.year, skipMonths: data.skip.map(Number), start: data.start_time, end: data.end_time }
}
