import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { findFacilitatorByEmail } from '../platforms/store.js'
import { burnPasswordTime, verifyPassword } from '../platforms/passwords.js'
import { endLogin, startLogin } from './login.js'
import { safeNext } from './guards.js'
import { page } from './views.js'

const loginForm = z.object({ email: z.string().trim().max(254), password: z.string().max(256) })

export async function authRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  // Per address: 10 attempts a minute; a slow hash behind it caps the CPU an attacker can burn.
  const limited = { rateLimit: { max: 10, timeWindow: '1 minute' } }

  app.get('/login', async (request, reply) => {
    if (request.login) return reply.redirect(safeNext((request.query as Record<string, unknown>).next), 303)
    const next = (request.query as Record<string, unknown>).next
    return page(request, reply, 'public/login.eta', { title: 'Connexion', values: {}, next: typeof next === 'string' ? next : '' })
  })

  app.post('/login', { config: limited }, async (request, reply) => {
    const next = (request.query as Record<string, unknown>).next
    const parsed = loginForm.safeParse(request.body)
    const email = parsed.success ? parsed.data.email.toLowerCase() : ''
    const facilitator = email ? await findFacilitatorByEmail(ctx.db, email) : undefined
    const ok = parsed.success && facilitator && !facilitator.disabled_at
      ? await verifyPassword(facilitator.password_hash, parsed.data.password)
      : (await burnPasswordTime(parsed.success ? parsed.data.password : ''), false)
    if (!ok || !facilitator) {
      request.log.info('login failed')
      return page(request, reply, 'public/login.eta', {
        title: 'Connexion', failed: true, values: { email: parsed.success ? parsed.data.email : '' },
        next: typeof next === 'string' ? next : '',
      }, 401)
    }
    if (request.login) await endLogin(ctx, request, reply)
    await startLogin(ctx, reply, facilitator.id)
    request.log.info({ facilitator: facilitator.id }, 'login')
    return reply.redirect(safeNext(next), 303)
  })

  app.post('/logout', async (request, reply) => {
    await endLogin(ctx, request, reply)
    return reply.redirect('/login', 303)
  })
}
