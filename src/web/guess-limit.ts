import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { tooManyRequests } from './errors.js'

// The guess limiter: what slows down a client address that tries personal links nobody holds, and never one
// that opens real links (issue #24: a whole organisation, its mail scanner and a calendar service share one
// address and open hundreds of valid links a day).
//
//   const wait = await isGuessing(request)        // before the lookup: seconds to wait, or null
//   if (wait !== null) return tooManyGuesses(request, reply, wait)
//   …look the token up…
//   if (!found) { await countGuess(request); return notFound(request, reply) }
//
// - countGuess(request): counts one failed look-up (unknown, altered or truncated token) against the address.
//   Only failures are counted: a valid token never is, a retired link (410) is not a guess either.
// - isGuessing(request): reads the count without adding to it; once the address has used its
//   GUESSES_PER_MINUTE, every personal link waits (a right token too, so a hit cannot be told from a miss
//   while the limit holds) until the window ends.
// - tooManyGuesses(request, reply, wait): the French 429 page with Retry-After and when to try again.
//
// The counter lives in the same store as every other limit (@fastify/rate-limit): in memory on SQLite (one
// process), in the `rate_limit` table on PostgreSQL, so several instances share it. One counter per address
// (an IPv6 address counts by its /64, as the plugin's own limits do), shared by every kind of link: guessing
// /rsvp/ does not reset /pitch/. RATE_LIMITS=off lets everything through.

/** Failed look-ups an address may make per minute before its personal links answer 429. */
export const GUESSES_PER_MINUTE = 10

const WINDOW_MS = 60_000

declare module 'fastify' {
  interface FastifyInstance {
    guessLimit: ReturnType<FastifyInstance['createRateLimit']>
  }
}

/** Registered once at the root, right after @fastify/rate-limit (registerSecurity does it). */
export function registerGuessLimit(app: FastifyInstance) {
  app.decorate('guessLimit', app.createRateLimit({
    max: GUESSES_PER_MINUTE,
    timeWindow: WINDOW_MS,
    // The prefix keeps this counter apart from the other limiters' in the shared table.
    keyGenerator: (request) => `guess:${normalizeIP(request.ip)}`,
  }))
}

/** Counts one failed look-up against the request's address. */
export async function countGuess(request: FastifyRequest): Promise<void> {
  await request.server.guessLimit(request)
}

/** Seconds this address must wait before opening a personal link again, or null when it may. */
export async function isGuessing(request: FastifyRequest): Promise<number | null> {
  const state = await request.server.guessLimit(request, { increment: false })
  if (state.isAllowed || state.remaining > 0) return null
  return Math.max(1, state.ttlInSeconds)
}

export function tooManyGuesses(request: FastifyRequest, reply: FastifyReply, wait: number) {
  request.log.warn('personal link: too many unknown tokens from one address')
  return tooManyRequests(request, reply, wait, {
    title: 'Trop de tentatives',
    sentence: 'Trop de liens inconnus ont été essayés depuis cette adresse. Vérifiez que le lien reçu par e-mail est complet, puis réessayez',
  })
}
