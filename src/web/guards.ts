import type { FastifyReply, FastifyRequest } from 'fastify'

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

/** A facilitator only reaches the platforms they belong to; others look like they do not exist. */
export function canManage(request: FastifyRequest, platformId: number): boolean {
  return request.login?.platformIds.includes(platformId) ?? false
}

/** Only same-site paths after login (never a full URL: open-redirect and javascript: traps). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\s\\]*$/.test(next) ? next : '/admin'
}
