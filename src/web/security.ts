import { createHash } from 'node:crypto'
import rateLimit, { normalizeIP, type RateLimitOptions } from '@fastify/rate-limit'
import type { FastifyInstance, RouteShorthandOptions } from 'fastify'
import type { AppContext } from '../context.js'
import { RateLimited, tooManyRequests } from './errors.js'
import { registerGuessLimit } from './guess-limit.js'
import { databaseRateLimitStore } from './rate-limit-store.js'

/**
 * The security headers of every response, built once: what helmet sends by default, with our strict
 * Content-Security-Policy (no inline script, no framing, forms to this site only). A constant rather than
 * @fastify/helmet, which rebuilt them on every request — measured at ~15 % of a cached page's CPU.
 */
export function securityHeaders(https: boolean): Record<string, string> {
  const csp = [
    "default-src 'self'", "base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'", "form-action 'self'",
    "script-src 'self'", "script-src-attr 'none'", "style-src 'self'", "img-src 'self' data:", "font-src 'self'",
    // Only behind https: on plain http it would make the browser fetch the stylesheet over https.
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join(';')
  return {
    'content-security-policy': csp,
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(https ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  }
}

export async function registerSecurity(app: FastifyInstance, ctx: AppContext) {
  // Every response carries the security headers; a state-changing request from another site is refused
  // (defence in depth beside CSRF tokens). One hook, without a promise: it runs on every request.
  const headers = securityHeaders(ctx.config.secureCookies)
  const origin = new URL(ctx.config.publicUrl).origin
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers)
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return done()
    const site = request.headers['sec-fetch-site']
    const from = request.headers.origin
    if (site === 'cross-site' || (from !== undefined && from !== 'null' && from !== origin)) {
      reply.code(403).type('text/plain; charset=utf-8').send('Requête refusée : elle ne vient pas de ce site.')
      return
    }
    done()
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
    // Every limited route answers the French 429 page saying when to retry (errors.ts), never a bare 429.
    errorResponseBuilder: () => new RateLimited(),
  })
  registerGuessLimit(app)
}

/** A route's limit (its `config.rateLimit`) whose 429 page says `sentence`, completed with when to retry. */
export function limit(max: number, timeWindow: string, sentence?: string): RateLimitOptions {
  return { max, timeWindow, errorResponseBuilder: () => new RateLimited({ sentence }) }
}

const BOOKING_SENTENCE = "Trop d'inscriptions ont été envoyées depuis cette adresse en peu de temps. Revenez en arrière (le formulaire garde normalement ce que vous avez saisi) et envoyez-le à nouveau"

/**
 * The public booking POST, counted per address and per form (issue #24). A social centre's front desk books
 * residents one after another from one address, each in a freshly opened form: it must never be refused,
 * and neither must an organisation whose several desks or public computers share that address. So:
 *   - per form (one opened page, told apart by its CSRF token): 10 sendings in 10 minutes, plenty to correct
 *     a form several times;
 *   - per address, every form together: 60 in 10 minutes, far above several desks at a booking a minute
 *     each, and what holds a script that opens a new form for each booking (beside the email confirmation
 *     a booking waits for) — to a handful of mails a minute to addresses it typed.
 * The address limit runs first, before the body is read; the form limit after it, before the CSRF check.
 */
export function bookingLimits(app: FastifyInstance): RouteShorthandOptions {
  // createRateLimit, not a second app.rateLimit(): the plugin runs only one of its handlers per request.
  const perForm = app.createRateLimit({
    max: 10, timeWindow: '10 minutes',
    keyGenerator: (request) => {
      const token = (request.body as Record<string, unknown> | undefined)?._csrf
      const form = typeof token === 'string' ? createHash('sha256').update(token).digest('base64url').slice(0, 16) : 'none'
      return `booking-form:${normalizeIP(request.ip)}:${form}`
    },
  })
  return {
    config: { rateLimit: limit(60, '10 minutes', BOOKING_SENTENCE) },
    preHandler: async (request, reply) => {
      const state = await perForm(request)
      if (!state.isAllowed && state.isExceeded) return tooManyRequests(request, reply, state.ttlInSeconds, { sentence: BOOKING_SENTENCE })
    },
  }
}
