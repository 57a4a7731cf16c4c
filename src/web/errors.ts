import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { page } from './views.js'

/** A French error page with a status; used for 404, 410 and every error the handler maps. */
export function errorPage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string) {
  if (status === 404 || status === 410) reply.header('cache-control', 'no-store')
  return page(request, reply, 'public/error.eta', { title, message, status }, status)
}

/** "dans 40 secondes", "dans 2 minutes": when a refused visitor may try again, said in a sentence. */
export function retryDelay(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds))
  if (s < 90) return s === 1 ? 'dans 1 seconde' : `dans ${s} secondes`
  const minutes = Math.ceil(s / 60)
  if (minutes < 120) return `dans ${minutes} minutes`
  return `dans ${Math.ceil(minutes / 60)} heures`
}

/**
 * The French 429 page of every limit: Retry-After in seconds, and a sentence ending with when to retry
 * (`sentence` is completed with " dans 40 secondes."). Never cached, like every error page.
 */
export function tooManyRequests(request: FastifyRequest, reply: FastifyReply, seconds: number, words: { title?: string; sentence?: string } = {}) {
  const wait = Math.max(1, Math.ceil(seconds))
  const sentence = words.sentence ?? 'Trop de demandes ont été envoyées depuis cette adresse en peu de temps. Réessayez'
  reply.header('retry-after', String(wait)).header('cache-control', 'no-store')
  return errorPage(request, reply, 429, words.title ?? 'Trop de demandes', `${sentence} ${retryDelay(wait)}.`)
}

/**
 * What @fastify/rate-limit throws for a limited route (its errorResponseBuilder): a 429 carrying the route's
 * own French words, which the error handler turns into the page above.
 */
export class RateLimited extends Error {
  readonly statusCode = 429
  constructor(readonly words: { title?: string; sentence?: string } = {}) {
    super('rate limited')
  }
}

export function notFound(request: FastifyRequest, reply: FastifyReply) {
  return errorPage(request, reply, 404, 'Page introuvable', "Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse, ou revenez à l'accueil.")
}

function isBusy(error: { code?: string }): boolean {
  // SQLite busy beyond the timeout, PostgreSQL lock timeout / serialization failure / too many connections.
  return ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED', '55P03', '40001', '40P01', '53300'].includes(error.code ?? '')
}

function isFull(error: { code?: string }): boolean {
  return ['SQLITE_FULL', 'SQLITE_IOERR', '53100'].includes(error.code ?? '') || (error.code ?? '').startsWith('SQLITE_IOERR')
}

export function registerErrors(app: FastifyInstance) {
  app.setNotFoundHandler(
    // Unknown URLs (scanners walking paths): 120 a minute per address, far above what people mistype.
    { preHandler: app.rateLimit({ max: 120, timeWindow: '1 minute', keyGenerator: (request) => `not-found:${normalizeIP(request.ip)}` }) },
    (request, reply) => notFound(request, reply),
  )

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return errorPage(request, reply, 403, 'Formulaire expiré',
        "Ce formulaire a expiré ou ne vient pas de ce site. Revenez en arrière, rechargez la page et envoyez-le à nouveau.")
    }
    if (error.statusCode === 429) {
      // The plugin has set Retry-After (the seconds left in the window) before throwing.
      const wait = Number(reply.getHeader('retry-after'))
      return tooManyRequests(request, reply, Number.isFinite(wait) && wait > 0 ? wait : 60, error instanceof RateLimited ? error.words : {})
    }
    if (isBusy(error)) {
      reply.header('retry-after', '5')
      request.log.warn({ code: error.code }, 'database busy')
      return errorPage(request, reply, 503, 'Service momentanément occupé', 'Le service est très sollicité. Réessayez dans quelques secondes : rien n’a été enregistré.')
    }
    if (isFull(error)) {
      reply.header('retry-after', '60')
      request.log.error({ code: error.code }, 'storage full or failing')
      return errorPage(request, reply, 503, 'Enregistrement impossible', "L'espace de stockage du serveur est plein : rien n'a été enregistré. Prévenez l'équipe de la plateforme.")
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      const status = error.statusCode
      return errorPage(request, reply, status, 'Requête invalide', status === 413 ? 'Le formulaire envoyé est trop volumineux.' : "La requête n'a pas pu être comprise.")
    }
    request.log.error({ err: error }, 'unexpected error')
    return errorPage(request, reply, 500, 'Erreur inattendue', "Une erreur inattendue s'est produite. Rien n'a été perdu de ce qui était déjà enregistré ; réessayez dans un instant.")
  })
}

/** The French 410 of an archived platform's public URLs and personal links (pages, feeds, booking form). */
export function platformClosed(request: FastifyRequest, reply: FastifyReply, platformName: string) {
  return errorPage(request, reply, 410, 'Plateforme fermée',
    `La plateforme « ${platformName} » n'est plus publiée sur ce site : ses séances, son agenda et ses calendriers n'y sont plus consultables.`)
}
