import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import view from '@fastify/view'
import type { FastifyInstance } from 'fastify'
import type { AppContext } from '../context.js'
import { registerAssets } from './assets.js'
import { registerCsrf } from './csrf.js'
import { registerErrors } from './errors.js'
import { registerLogin } from './login.js'
import { registerPageCache } from './page-cache.js'
import { registerPersonalLinks } from './personal-links.js'
import { registerSecurity } from './security.js'
import { viewsDir } from './views.js'

/** What the rendered public pages and feeds may hold in memory at most. */
const PAGE_CACHE_BYTES = 32 * 1024 * 1024

/** The plumbing every route relies on, in the order it must run. */
export async function registerWeb(app: FastifyInstance, ctx: AppContext) {
  // Forms are urlencoded, 64 KB at most. Multipart bodies are read by the partners' CSV import alone
  // (partners/import-routes.ts), after its login check; everywhere else they answer 415 unread.
  await app.register(formbody, { bodyLimit: 64 * 1024 })
  await app.register(cookie, { secret: ctx.config.sessionSecret })
  await registerSecurity(app, ctx)
  registerPersonalLinks(app)
  await registerLogin(app, ctx)
  await registerCsrf(app, ctx)
  registerPageCache(app, PAGE_CACHE_BYTES)
  // @fastify/view adds an onRequest hook giving every reply a fresh `locals` object unless the decorator
  // exists already; no view reads reply.locals, so no request pays for that hook.
  app.decorateReply('locals', null)
  await app.register(view, { engine: { eta: ctx.views }, templates: viewsDir(), production: true })
  registerAssets(app)
  registerErrors(app)
}
