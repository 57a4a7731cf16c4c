import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { page } from './views.js'

/** A French error page with a status; used for 404, 410 and every error the handler maps. */
export function errorPage(request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string) {
  if (status === 404 || status === 410) reply.header('cache-control', 'no-store')
  return page(request, reply, 'public/error.eta', { title, message, status }, status)
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
    { preHandler: app.rateLimit({ max: 60, timeWindow: '1 minute' }) },
    (request, reply) => notFound(request, reply),
  )

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
      return errorPage(request, reply, 403, 'Formulaire expiré',
        "Ce formulaire a expiré ou ne vient pas de ce site. Revenez en arrière, rechargez la page et envoyez-le à nouveau.")
    }
    if (error.statusCode === 429) {
      reply.header('retry-after', reply.getHeader('retry-after') ?? '60')
      return errorPage(request, reply, 429, 'Trop de tentatives', 'Trop de demandes en peu de temps. Patientez une minute avant de réessayer.')
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
