import type { FastifyReply, FastifyRequest } from 'fastify'
import { errorPage } from './errors.js'
import { CONTROL_CHARACTER } from '../text-safety.js'

/** Facilitator pages: anonymous GETs go to the login page, anything else is refused. */
export async function requireLogin(request: FastifyRequest, reply: FastifyReply) {
  if (request.login) {
    reply.header('cache-control', 'no-store')
    return
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    const next = encodeURIComponent(request.url)
    return reply.redirect(`/login?next=${next}`, 303)
  }
  return reply.code(401).type('text/plain; charset=utf-8').send('Connexion requise.')
}

/** Instance administrators' pages ("Plateformes"): a facilitator without the role is refused (403). */
export async function requireAdmin(request: FastifyRequest, reply: FastifyReply) {
  if (!request.login) return requireLogin(request, reply)
  if (!request.login.admin) {
    return errorPage(request, reply, 403, 'Accès refusé', "Cette page est réservée aux administrateurs de l'instance.")
  }
  reply.header('cache-control', 'no-store')
}

/** A facilitator only reaches the platforms they belong to; others look like they do not exist. */
export function canManage(request: FastifyRequest, platformId: number): boolean {
  return request.login?.platformIds.includes(platformId) ?? false
}

/**
 * Where a login leads (`?next=`): '/admin' without one; a path of this site, with every character outside
 * printable ASCII percent-encoded (a Location header carries nothing else: a raw "é" or "€" there threw);
 * null for anything else — another site (`//evil.example`, `https:`), a backslash, a space, a line break
 * (header injection) or another control character, a broken surrogate, an array, over 2,000 characters.
 */
export function loginTarget(next: unknown): string | null {
  if (next === undefined || next === '') return '/admin'
  if (typeof next !== 'string' || next.length > 2000) return null
  if (!/^\/(?![/\\])/.test(next) || /[\s\\]/.test(next) || CONTROL_CHARACTER.test(next)) return null
  try {
    return next.replace(/[^\x21-\x7E]/gu, (c) => encodeURIComponent(c))
  } catch {
    return null // a lone surrogate: encodeURIComponent refuses it
  }
}
