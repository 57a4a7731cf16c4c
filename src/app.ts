import Fastify, { type FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { Config } from './config.js'
import { type AppContext, systemClock } from './context.js'
import type { Db } from './db/schema.js'
import { adminPlatformRoutes } from './admin/routes.js'
import { indicatorRoutes } from './indicators/routes.js'
import { mailRoutes } from './mail/routes.js'
import { managedPlatform, requireManagedPlatform } from './platforms/access.js'
import { loginRoutes } from './platforms/login-routes.js'
import { teamRoutes } from './platforms/team-routes.js'
import { partnerImportRoutes } from './partners/import-routes.js'
import { partnerAdminRoutes } from './partners/routes.js'
import { rsvpRoutes } from './partners/rsvp-routes.js'
import { platformAdminRoutes } from './platforms/routes.js'
import { sessionAdminRoutes } from './sessions/admin-routes.js'
import { calendarState } from './sessions/notify.js'
import { pitchAdminRoutes } from './pitches/admin-routes.js'
import { pitchRoutes } from './pitches/routes.js'
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
    ctx: AppContext
  }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const ctx: AppContext = { config: deps.config, db: deps.db, clock: deps.clock ?? systemClock, views: createViews() }
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
  // Facilitators: everything under /admin (platform pages under /admin/p/{slug}/…).
  await app.register(platformAdminRoutes, { prefix: '/admin' })
  await app.register(teamRoutes, { prefix: '/admin' })
  await app.register(sessionAdminRoutes, { prefix: '/admin' })
  await app.register(mailRoutes, { prefix: '/admin', calendarCheck: (db, row) => calendarState(ctx, db, row), managedPlatform })
  await app.register(partnerAdminRoutes, { prefix: '/admin' })
  await app.register(partnerImportRoutes, { prefix: '/admin' })
  await app.register(pitchAdminRoutes, { prefix: '/admin' })
  // One platform's pages (/admin/p/{slug}/…): one preHandler checks the login and the platform, and routes
  // read it with platformOf(request). New facilitator plugins register here, with paths relative to the scope.
  app.decorateRequest('platform', null)
  await app.register(async (scope) => {
    scope.addHook('preHandler', requireManagedPlatform)
    await scope.register(indicatorRoutes)
  }, { prefix: '/admin/p/:slug' })
  // Instance administrators: the platforms themselves (/admin/platforms…).
  await app.register(adminPlatformRoutes, { prefix: '/admin' })
  // Anyone: the platform's pages and feeds under /{platform}/….
  await app.register(pitchRoutes)
  await app.register(personalFeedRoutes)
  await app.register(rsvpRoutes)
  await app.register(publicRoutes, { pitches: publicPitches })

  return app
}
