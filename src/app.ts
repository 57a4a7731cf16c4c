import Fastify, { type FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Config } from './config.js'
import { attendeesOf } from './attendees.js'
import { type AppContext, systemClock } from './context.js'
import type { Db } from './db/schema.js'
import { adminAccountRoutes } from './admin/accounts-routes.js'
import { adminPlatformRoutes } from './admin/routes.js'
import { indicatorRoutes } from './indicators/routes.js'
import { networkRoutes } from './indicators/network-routes.js'
import { mailRoutes } from './mail/routes.js'
import { repliesPanel } from './replies/mail-panel.js'
import { requireManagedPlatform } from './platforms/access.js'
import { invitationLinkRoutes } from './platforms/invitation-link-routes.js'
import { loginRoutes } from './platforms/login-routes.js'
import { teamRoutes } from './platforms/team-routes.js'
import { totpRoutes } from './platforms/totp-routes.js'
import { contactFeeds } from './partners/feed-query.js'
import { partnerImportRoutes } from './partners/import-routes.js'
import { partnerContactRoutes } from './partners/contact-routes.js'
import { partnerDirectoryRoutes } from './partners/directory-routes.js'
import { partnerInvitationRoutes } from './partners/invitation-routes.js'
import { rsvpRoutes } from './partners/rsvp-routes.js'
import { platformAdminRoutes, platformPageRoutes } from './platforms/routes.js'
import { platformSettingsRoutes } from './platforms/settings-routes.js'
import { sessionAdminRoutes } from './sessions/admin-routes.js'
import { planRoutes } from './sessions/plan-routes.js'
import { dashboardRoutes, platformSummaries } from './dashboard/routes.js'
import { calendarState } from './sessions/notify.js'
import type { SessionProviders } from './sessions/recipient.js'
import { agendaRoutes } from './pitches/agenda-routes.js'
import { initiativeRoutes } from './pitches/initiative-routes.js'
import { phoneBookingRoutes } from './pitches/phone-booking-routes.js'
import { pitchPrintRoutes } from './pitches/print-routes.js'
import { pitchTriageRoutes } from './pitches/triage-routes.js'
import { pitchRoutes } from './pitches/routes.js'
import { attendanceRoutes } from './record/attendance-routes.js'
import { referralAdminRoutes } from './referrals/admin-routes.js'
import { holderReferrals } from './referrals/holder.js'
import { referralLinkRoutes } from './referrals/partner-routes.js'
import { recordRoutes } from './record/routes.js'
import { signInSheet } from './record/sheet.js'
import { holderJourney } from './journey/holder.js'
import { journeyRoutes } from './journey/routes.js'
import { minutesRoutes } from './minutes/routes.js'
import { holderMinutes, partnerMinutes } from './minutes/readers.js'
import { holderFeeds } from './pitches/feed-query.js'
import { privacyPublicRoutes } from './privacy/public-routes.js'
import { privacyRoutes } from './privacy/routes.js'
import { defaultNoticeText } from './privacy/notice.js'
import { retentionPreview } from './privacy/retention.js'
import { selfExport } from './privacy/self-export.js'
import { personalFeedRoutes } from './sessions/personal-feed-routes.js'
import { publicRoutes } from './sessions/public-routes.js'
import * as publicPitches from './pitches/public.js'
import { registerWeb } from './web/index.js'
import { createViews } from './web/views.js'

export interface AppDeps {
  config: Config
  db: Db
  clock?: () => Date
  logger?: boolean
  /** Where logs go (default stdout); tests read them to check what is never logged. */
  logStream?: NodeJS.WritableStream
}

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext & SessionProviders
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const base: AppContext = { config: deps.config, db: deps.db, clock: deps.clock ?? systemClock, views: createViews() }
  // What lower floors are handed from the upper ones (sessions/ asks partners/ and pitches/ who attends).
  const ctx: AppContext & SessionProviders = { ...base, attendees: attendeesOf(base) }
  const app = Fastify({
    logger: deps.logger === false ? false : {
      level: deps.config.logLevel,
      ...(deps.logStream ? { stream: deps.logStream } : {}),
      // Log the route pattern, never the URL: personal links carry tokens.
      serializers: {
        req: (request) => ({ method: request.method, route: request.routeOptions?.url ?? 'unknown', id: request.id }),
      },
    },
    trustProxy: deps.config.trustProxy ?? false,
    bodyLimit: 64 * 1024,
    requestTimeout: 60_000,
    routerOptions: { ignoreTrailingSlash: true },
  })
  app.decorate('ctx', ctx)
  app.addHook('onClose', async () => ctx.db.destroy())

  await registerWeb(app, ctx)

  app.get('/healthz', async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db)
      return { status: 'ok' }
    } catch {
      return reply.code(503).send({ status: 'unavailable' })
    }
  })

  await app.register(loginRoutes)
  await app.register(invitationLinkRoutes)
  // Facilitators: everything under /admin (platform pages under /admin/p/{slug}/…).
  await app.register(platformAdminRoutes, { prefix: '/admin', summaries: platformSummaries(ctx.clock) })
  // One platform's pages (/admin/p/{slug}/…): one preHandler checks the login and the platform, and routes
  // read it with platformOf(request). New facilitator plugins register here, with paths relative to the scope.
  app.decorateRequest('platform', null)
  await app.register(async (scope) => {
    scope.addHook('preHandler', requireManagedPlatform)
    await scope.register(dashboardRoutes)
    await scope.register(sessionAdminRoutes)
    await scope.register(planRoutes)
    await scope.register(pitchTriageRoutes)
    await scope.register(phoneBookingRoutes)
    await scope.register(agendaRoutes)
    await scope.register(pitchPrintRoutes, { signInSheet })
    await scope.register(initiativeRoutes)
    await scope.register(partnerDirectoryRoutes)
    await scope.register(partnerContactRoutes)
    await scope.register(partnerInvitationRoutes)
    await scope.register(partnerImportRoutes)
    await scope.register(teamRoutes)
    await scope.register(indicatorRoutes)
    await scope.register(attendanceRoutes)
    await scope.register(referralAdminRoutes)
    await scope.register(recordRoutes)
    await scope.register(journeyRoutes)
    await scope.register(minutesRoutes)
    await scope.register(privacyRoutes)
    await scope.register(platformPageRoutes)
    // "Courriers": mail/ knows no feature, so the calendar check for "Renvoyer" and the replies panel come from here.
    await scope.register(mailRoutes, { calendarCheck: (db, row) => calendarState(ctx, db, row), repliesPanel: (db, platform) => repliesPanel(ctx, db, platform) })
    // The settings page says what privacy/ will do (the default notice, the next retention run).
    await scope.register(platformSettingsRoutes, { extras: { defaultNotice: defaultNoticeText, retention: (db, platform) => retentionPreview(db, platform, ctx.clock()) } })
  }, { prefix: '/admin/p/:slug' })
  // Instance administrators: the platforms themselves (/admin/platforms…).
  await app.register(adminPlatformRoutes, { prefix: '/admin' })
  await app.register(adminAccountRoutes, { prefix: '/admin' })
  // The network's Bilan (#21): every platform's figures side by side (/admin/network, administrators only).
  await app.register(networkRoutes, { prefix: '/admin' })
  // Every account's own page (two-factor login).
  await app.register(totpRoutes, { prefix: '/admin' })
  // Anyone: the platform's pages and feeds under /{platform}/….
  await app.register(pitchRoutes, { referrals: holderReferrals, minutes: holderMinutes, selfExport: selfExport(ctx), journey: holderJourney })
  // Whose feed a token is, asked of each owner (sessions/ reads neither contacts nor holders).
  await app.register(personalFeedRoutes, { feeds: [contactFeeds, holderFeeds] })
  await app.register(rsvpRoutes, { minutes: partnerMinutes, selfExport: selfExport(ctx) })
  await app.register(referralLinkRoutes)
  await app.register(privacyPublicRoutes)
  await app.register(publicRoutes, { pitches: publicPitches })

  return app
}
