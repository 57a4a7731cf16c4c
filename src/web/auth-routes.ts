import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import { findFacilitatorByEmail } from '../platforms/store.js'
import { burnPasswordTime, verifyPassword } from '../platforms/passwords.js'
import { endLogin, startLogin } from './login.js'
import { loginTarget } from './guards.js'
import { page } from './views.js'

const loginForm = z.object({ email: z.string().trim().max(254), password: z.string().max(256) })

export async function authRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  // Per address: 10 attempts a minute; a slow hash behind it caps the CPU an attacker can burn.
  const limited = { rateLimit: { max: 10, timeWindow: '1 minute' } }

  // A `next` that is not a path of this site answers 400 before anything else: no password checked, no login
  // row written, the form shown again without it.
  const badNext = "Le lien qui vous a mené ici n'est pas valide. Connectez-vous depuis cette page : vous arriverez au tableau de bord."

  app.get('/login', async (request, reply) => {
    const next = (request.query as Record<string, unknown>).next
    const target = loginTarget(next)
    if (target === null) return page(request, reply, 'public/login.eta', { title: 'Connexion', values: {}, next: '', notice: badNext }, 400)
    if (request.login) return reply.redirect(target, 303)
    return page(request, reply, 'public/login.eta', { title: 'Connexion', values: {}, next: next === undefined ? '' : target })
  })

  app.post('/login', { config: limited }, async (request, reply) => {
    const next = (request.query as Record<string, unknown>).next
    const target = loginTarget(next)
    const parsed = loginForm.safeParse(request.body)
    if (target === null) {
      return page(request, reply, 'public/login.eta', {
        title: 'Connexion', values: { email: parsed.success ? parsed.data.email : '' }, next: '', notice: badNext,
      }, 400)
    }
    const email = parsed.success ? parsed.data.email.toLowerCase() : ''
    const facilitator = email ? await findFacilitatorByEmail(ctx.db, email) : undefined
    const ok = parsed.success && facilitator && !facilitator.disabled_at
      ? await verifyPassword(facilitator.password_hash, parsed.data.password)
      : (await burnPasswordTime(parsed.success ? parsed.data.password : ''), false)
    if (!ok || !facilitator) {
      request.log.info('login failed')
      return page(request, reply, 'public/login.eta', {
        title: 'Connexion', failed: true, values: { email: parsed.success ? parsed.data.email : '' },
        next: next === undefined ? '' : target,
      }, 401)
    }
    if (request.login) await endLogin(ctx, request, reply)
    await startLogin(ctx, reply, facilitator.id)
    request.log.info({ facilitator: facilitator.id }, 'login')
    return reply.redirect(target, 303)
  })

  app.post('/logout', async (request, reply) => {
    await endLogin(ctx, request, reply)
    return reply.redirect('/login', 303)
  })
}
