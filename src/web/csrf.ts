import { createHmac } from 'node:crypto'
import csrf from '@fastify/csrf-protection'
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import type { AppContext } from '../context.js'

const userInfo = (request: FastifyRequest) => (request.login ? `login:${request.login.id}` : 'anonymous')

/** The token for the forms of this page, bound to the current login (or to no login). */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  return reply.generateCsrf({ userInfo: userInfo(request) } as Parameters<FastifyReply['generateCsrf']>[0])
}

// Cookie mode (no server state, so opening a form writes nothing), bound to the login: a token minted
// before login, or for another login, is refused.
export async function registerCsrf(app: FastifyInstance, ctx: AppContext) {
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: ctx.config.secureCookies ? '__Host-fabrik_csrf' : 'fabrik_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: ctx.config.secureCookies, signed: false },
    getUserInfo: userInfo,
    csrfOpts: { hmacKey: createHmac('sha256', ctx.config.sessionSecret).update('csrf').digest() },
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined
      return typeof body?._csrf === 'string' ? body._csrf : undefined
    },
  })

  // Every state-changing route checks the token after its own preHandlers (token routes answer 404 for an
  // unknown link before any CSRF check, as the contract asks).
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    if (methods.every((m) => m === 'GET' || m === 'HEAD')) return
    const own = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : []
    route.preHandler = [...own, app.csrfProtection as preHandlerHookHandler]
  })
}
