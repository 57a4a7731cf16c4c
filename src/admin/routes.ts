import multipart from '@fastify/multipart'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { countryName, holidayCountries, holidayRegions } from '../calendar/holidays.js'
import { formatLongDate, todayIn } from '../calendar/zoned.js'
import type { Platform } from '../db/schema.js'
import { MAX_COMMUNES } from '../platforms/communes-import.js'
import { checkPlatform, MONTH_VALUES, NEW_PLATFORM_VALUES } from '../platforms/platform-form.js'
import { DAY_LABELS, describeRule, monthlyParts, RULE_DAYS, RULE_WEEKS, WEEK_LABELS } from '../platforms/rule.js'
import {
  facilitatorsByPlatform, findAnyPlatformBySlug, findVenue, insertPlatform, listAllPlatforms, listCommunes, setArchived, updatePlatform,
} from '../platforms/store.js'
import { DEFAULT_AGENDA } from '../sessions/agenda.js'
import { listSessions } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, optionalLine, parseForm } from '../web/forms.js'
import { requireAdmin } from '../web/guards.js'
import { page } from '../web/views.js'
import { platformOverview } from './queries.js'
import { BodyRefused, multipartValues, TOO_LARGE } from '../web/multipart.js'

// Instance administrators: every platform with its next session, facilitators and figures of the year;
// create, edit, archive and restore one. A folder of its own because it stands above every feature: it reads
// sessions and pitches for the overview and hands the platform's rows to platforms/, which alone writes them.

/** The largest communes file taken; a pasted list is a field of at most FIELD_BYTES. */
const MAX_FILE_BYTES = 2 * 1024 * 1024
const FIELD_BYTES = 1024 * 1024
const MAX_BODY_BYTES = MAX_FILE_BYTES + FIELD_BYTES
const MULTIPART_LIMITS = { fileSize: MAX_FILE_BYTES, files: 1, fieldSize: FIELD_BYTES, fields: 40, parts: 41, fieldNameSize: 50, headerPairs: 20 }
const archiveForm = z.object({ confirm: optionalLine(60) })

const MONTH_NAMES = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre']

interface FormState { values: Record<string, unknown>; errors: FieldErrors; communeErrors?: string[] }

export async function adminPlatformRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  // Before any byte of a body is read: a login, and the administrator role.
  app.addHook('onRequest', requireAdmin)
  const editUrl = (slug: string) => `/admin/platforms/${encodeURIComponent(slug)}`

  app.get('/platforms', async (request, reply) => {
    const platforms = await listAllPlatforms(ctx.db)
    const now = ctx.clock()
    const years = new Map(platforms.map((p) => [p.id, Number(todayIn(p.timezone, now).slice(0, 4))]))
    const [{ figures, nextDates }, facilitators] = await Promise.all([platformOverview(ctx.db, years, now), facilitatorsByPlatform(ctx.db)])
    const rows = platforms.map((p) => ({
      platform: p, year: years.get(p.id)!, figures: figures.get(p.id)!, facilitators: facilitators.get(p.id) ?? [],
      next: nextDates.has(p.id) ? formatLongDate(nextDates.get(p.id)!) : null,
      country: countryName(p.country), rule: describeRule(p.rrule, p.default_start, p.default_end),
    }))
    return page(request, reply, 'admin/platforms.eta', {
      title: 'Plateformes', active: rows.filter((r) => !r.platform.archived_at), archived: rows.filter((r) => r.platform.archived_at),
      query: request.query,
    })
  })

  async function renderForm(request: FastifyRequest, reply: FastifyReply, platform: Platform | null, state: FormState, status = 200) {
    const country = typeof state.values.country === 'string' && state.values.country ? state.values.country.trim().toUpperCase() : 'FR'
    // Without a script, the regions shown are those of France and of the country chosen (sent back with an
    // error if the country changed: the form then shows the new country's).
    const regionGroups = [...new Set(['FR', country])].map((c) => ({ country: c, name: countryName(c), regions: holidayRegions(c) }))
      .filter((g) => g.regions.length > 0)
    const [communes, facilitators, sessions] = platform
      ? await Promise.all([listCommunes(ctx.db, platform.id), facilitatorsByPlatform(ctx.db), listSessions(ctx.db, platform.id, { limit: 1 })])
      : [[], new Map(), []]
    return page(request, reply, 'admin/platform-form.eta', {
      title: platform ? `Modifier : ${platform.name}` : 'Nouvelle plateforme', platform,
      action: platform ? editUrl(platform.slug) : '/admin/platforms',
      values: state.values, errors: state.errors, communeErrors: state.communeErrors ?? [],
      countries: holidayCountries(), regionGroups, months: MONTH_NAMES.map((name, i) => ({ value: MONTH_VALUES[i], name })),
      weeks: RULE_WEEKS.map((w) => ({ value: w, name: WEEK_LABELS[w] })), days: RULE_DAYS.map((d) => ({ value: d, name: DAY_LABELS[d] })),
      communes, facilitators: platform ? facilitators.get(platform.id) ?? [] : [], hasSessions: sessions.length > 0,
      maxCommunes: MAX_COMMUNES, maxMegabytes: MAX_FILE_BYTES / 1024 / 1024, query: request.query,
      rule: platform ? describeRule(platform.rrule, platform.default_start, platform.default_end) : null,
    }, status)
  }

  async function valuesOf(platform: Platform): Promise<Record<string, unknown>> {
    const parts = monthlyParts(platform.rrule)
    const venue = platform.home_venue_id !== null ? await findVenue(ctx.db, platform.id, platform.home_venue_id) : undefined
    const commune = venue ? (await listCommunes(ctx.db, platform.id)).find((c) => c.id === venue.commune_id) : undefined
    return {
      name: platform.name, country: platform.country, region: platform.region ?? '', timezone: platform.timezone,
      contact_email: platform.contact_email, contact_name: platform.contact_name ?? '',
      rule_week: parts?.week ?? '', rule_day: parts?.day ?? '', rrule: parts ? '' : platform.rrule,
      default_start: platform.default_start, default_end: platform.default_end, itinerant: platform.itinerant ? 'yes' : 'no',
      venue_name: venue?.name ?? '', venue_address: venue?.address ?? '', venue_commune: commune?.name ?? '',
      skip: platform.skip_months.split(',').filter(Boolean),
    }
  }

  async function platformOf(request: FastifyRequest): Promise<Platform | undefined> {
    const { slug } = request.params as { slug: string }
    return findAnyPlatformBySlug(ctx.db, slug)
  }

  app.get('/platforms/new', async (request, reply) => renderForm(request, reply, null, { values: { ...NEW_PLATFORM_VALUES, facilitate: 'yes' }, errors: {} }))

  app.get('/platforms/:slug', async (request, reply) => {
    const platform = await platformOf(request)
    if (!platform) return notFound(request, reply)
    return renderForm(request, reply, platform, { values: await valuesOf(platform), errors: {} })
  })

  // Archiving asks for the slug typed again: an empty or mistaken form changes nothing.
  app.post('/platforms/:slug/archive', async (request, reply) => {
    const platform = await platformOf(request)
    if (!platform) return notFound(request, reply)
    const form = parseForm(archiveForm, request.body)
    if (!form.ok || form.data.confirm !== platform.slug) {
      return renderForm(request, reply, platform, {
        values: { ...(await valuesOf(platform)), confirm: form.values.confirm },
        errors: { confirm: `Pour archiver, tapez l'identifiant de la plateforme : ${platform.slug}.` },
      }, 400)
    }
    if (!platform.archived_at) await setArchived(ctx.db, platform.id, true, ctx.clock().toISOString())
    return reply.redirect(`/admin/platforms?archived=${encodeURIComponent(platform.slug)}`, 303)
  })

  app.post('/platforms/:slug/restore', async (request, reply) => {
    const platform = await platformOf(request)
    if (!platform) return notFound(request, reply)
    if (platform.archived_at) await setArchived(ctx.db, platform.id, false, ctx.clock().toISOString())
    return reply.redirect(`${editUrl(platform.slug)}?restored=1`, 303)
  })

  // The two forms that take a communes file: the only routes here that read multipart bodies.
  await app.register(async (upload) => {
    upload.addHook('onRequest', async (request) => {
      if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new BodyRefused(413)
    })
    await upload.register(multipart, { attachFieldsToBody: true, limits: MULTIPART_LIMITS })
    const parsed = new WeakSet<FastifyRequest>()
    upload.addHook('preValidation', async (request) => {
      if (request.isMultipart()) request.body = multipartValues((request.body ?? {}) as Record<string, unknown>)
      parsed.add(request)
    })

    upload.setErrorHandler(async (error: FastifyError, request, reply) => {
      const tooLarge = error instanceof BodyRefused ? error.status === 413 : TOO_LARGE.has(error.code)
      const unreadable = (error instanceof BodyRefused && error.status === 400) || error.code === 'FST_PROTO_VIOLATION'
        || (request.isMultipart() && !parsed.has(request) && !error.statusCode)
      if (!tooLarge && !unreadable) throw error
      request.log.info({ code: error.code }, 'platform form: multipart body refused')
      const platform = request.routeOptions.url === '/admin/platforms' ? null : (await platformOf(request)) ?? null
      return renderForm(request, reply, platform, {
        values: platform ? await valuesOf(platform) : { ...NEW_PLATFORM_VALUES },
        errors: {
          communes_file: tooLarge
            ? `Le fichier est trop volumineux : ${MAX_FILE_BYTES / 1024 / 1024} Mo et ${MAX_COMMUNES} communes au plus. Rien n'a été créé.`
            : "Le formulaire n'a pas pu être reçu en entier. Choisissez le fichier à nouveau puis renvoyez le formulaire. Rien n'a été créé.",
        },
      }, tooLarge ? 413 : 400)
    })

    upload.post('/platforms', async (request, reply) => {
      const check = checkPlatform(request.body, { create: true })
      if (!check.ok) return renderForm(request, reply, null, check, 400)
      const { slug, platform, communes } = check.data
      const taken = await findAnyPlatformBySlug(ctx.db, slug)
      if (taken) {
        return renderForm(request, reply, null, {
          values: check.values,
          errors: { slug: taken.archived_at ? 'Cet identifiant a servi à une plateforme archivée : il ne sera pas réutilisé. Choisissez-en un autre.' : 'Cet identifiant est déjà celui d’une autre plateforme.' },
        }, 400)
      }
      const facilitate = (request.body as Record<string, unknown>).facilitate === 'yes'
      try {
        await insertPlatform(ctx.db, {
          slug, platform, communes, facilitatorId: facilitate ? request.login!.facilitatorId : null,
          agendaTemplate: JSON.stringify(DEFAULT_AGENDA), now: ctx.clock().toISOString(),
        })
      } catch (error) {
        // Two administrators creating the same slug at once: the unique index decides, nothing is half-made.
        if (await findAnyPlatformBySlug(ctx.db, slug)) {
          return renderForm(request, reply, null, { values: check.values, errors: { slug: 'Cet identifiant est déjà celui d’une autre plateforme.' } }, 400)
        }
        throw error
      }
      return reply.redirect(`${editUrl(slug)}?created=1`, 303)
    })

    upload.post('/platforms/:slug', async (request, reply) => {
      const current = await platformOf(request)
      if (!current) return notFound(request, reply)
      const known = (await listCommunes(ctx.db, current.id)).map((c) => c.name)
      const check = checkPlatform(request.body, { create: false, knownCommunes: known })
      if (!check.ok) return renderForm(request, reply, current, check, 400)
      const { platform, communes } = check.data
      if (platform.timezone !== current.timezone && (await listSessions(ctx.db, current.id, { limit: 1 })).length > 0) {
        return renderForm(request, reply, current, {
          values: check.values,
          errors: { timezone: `Le fuseau horaire ne peut plus changer : la plateforme a déjà des séances, dont les heures sont celles de ${current.timezone}.` },
        }, 400)
      }
      const { communes: added } = await updatePlatform(ctx.db, current.id, { platform, communes, now: ctx.clock().toISOString() })
      return reply.redirect(`${editUrl(current.slug)}?saved=1&communes=${added}`, 303)
    })
  })
}
