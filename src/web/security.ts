import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'
import { databaseRateLimitStore } from './rate-limit-store.js'

export async function registerSecurity(app: FastifyInstance, ctx: AppContext) {
  const https = ctx.config.secureCookies
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        // Only behind https: on plain http it would make the browser fetch the stylesheet over https.
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
  })

  // Limits only where they matter (login, token guesses, forms), keyed on the client address that
  // TRUST_PROXY makes trustworthy; routes opt in with config.rateLimit.
  await app.register(rateLimit, {
    global: false,
    // Several instances on one PostgreSQL share their counters through the database; one process on
    // SQLite keeps them in memory.
    ...(ctx.config.databaseUrl ? { store: databaseRateLimitStore(ctx.db, ctx.clock) } : {}),
    // RATE_LIMITS=off (benchmarks only) lets every request through.
    ...(ctx.config.rateLimits ? {} : { allowList: () => true }),
  })

  // Defence in depth beside CSRF tokens: a state-changing request from another site is refused.
  const origin = new URL(ctx.config.publicUrl).origin
  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return
    const site = request.headers['sec-fetch-site']
    const from = request.headers.origin
    if (site === 'cross-site' || (from !== undefined && from !== 'null' && from !== origin)) {
      return reply.code(403).type('text/plain; charset=utf-8').send('Requête refusée : elle ne vient pas de ce site.')
    }
  })
}
