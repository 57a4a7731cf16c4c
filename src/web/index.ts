import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import multipart from '@fastify/multipart'
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
  await app.register(formbody, { bodyLimit: 64 * 1024 })
  // File uploads (the partners' CSV import): fields and the file land in request.body like a form, so
  // zod and the CSRF check read them the same way. One small file at most.
  await app.register(multipart, { attachFieldsToBody: 'keyValues', limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 20, parts: 21 } })
  await app.register(cookie, { secret: ctx.config.sessionSecret })
  await registerSecurity(app, ctx)
  registerPersonalLinks(app)
  await registerLogin(app, ctx)
  await registerCsrf(app, ctx)
  registerPageCache(app, PAGE_CACHE_BYTES)
  await app.register(view, { engine: { eta: ctx.views }, templates: viewsDir(), production: true })
  registerAssets(app)
  registerErrors(app)
}
