import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { endLogin, startLogin } from '../web/login.js'
import { errorPage, notFound } from '../web/errors.js'
import { page } from '../web/views.js'
import { platformBase } from './access.js'
import { createFacilitatorAccount, joinPlatform, useAccountToken } from './accounts.js'
import { accountLink, openedAccountLink, passwordErrors, passwordForm } from './login-routes.js'
import { hashPassword } from './passwords.js'
import { findFacilitatorByEmail, findPlatform } from './store.js'
import { startPendingLogin } from './totp-login-routes.js'
import { totpRequired } from './totp-store.js'

// /invitation/{token}: a colleague's invitation to a platform's team, opened (login-routes.ts accountLink:
// 404 unknown, 410 used or expired) and accepted here. Registered by app.ts beside loginRoutes.

export async function invitationLinkRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const limited = { rateLimit: { max: 10, timeWindow: '1 minute' } }

  // A colleague's invitation (team-routes.ts): choose a password, the account is created on the platform and
  // logged in. An address that has become an account meanwhile joins the platform with its own password.
  const invitationLink = accountLink(app, 'invitation')
  const invitationPage = (request: FastifyRequest, reply: FastifyReply, errors: Record<string, string>, status = 200) => {
    const row = openedAccountLink(request)
    return page(request, reply, 'public/invitation.eta', { title: 'Invitation', action: request.url, errors, email: row.email, name: row.name }, status)
  }

  app.get('/invitation/:token', { preHandler: invitationLink }, async (request, reply) => invitationPage(request, reply, {}))

  app.post('/invitation/:token', { preHandler: invitationLink, config: limited }, async (request, reply) => {
    const row = openedAccountLink(request)
    const platformId = row.platform_id
    if (platformId === null) return notFound(request, reply)
    const existing = await findFacilitatorByEmail(ctx.db, row.email)
    const now = ctx.clock().toISOString()
    if (existing) {
      if (!(await ctx.db.transaction().execute(async (trx) => {
        if (!(await useAccountToken(trx, row.id, now))) return false
        await joinPlatform(trx, existing.id, platformId)
        return true
      }))) return errorPage(request, reply, 410, 'Invitation expirée', 'Cette invitation a déjà été acceptée.')
      return page(request, reply, 'public/login.eta', {
        title: 'Connexion', values: { email: row.email }, next: '',
        notice: 'Vous avez rejoint l’équipe. Connectez-vous avec le mot de passe de votre compte.',
      })
    }
    const parsed = passwordForm.safeParse(request.body)
    const errors = parsed.success ? passwordErrors(parsed.data.password, parsed.data.confirm) : { password: 'Choisissez un mot de passe.' }
    if (errors || !parsed.success) return invitationPage(request, reply, errors ?? {}, 400)
    const hash = await hashPassword(parsed.data.password)
    const id = await ctx.db.transaction().execute(async (trx) => {
      if (!(await useAccountToken(trx, row.id, now))) return null
      return createFacilitatorAccount(trx, { email: row.email, name: row.name, passwordHash: hash, platformId, now })
    })
    if (id === null) return errorPage(request, reply, 410, 'Invitation expirée', 'Cette invitation a déjà été acceptée.')
    if (request.login) await endLogin(ctx, request, reply)
    // A platform that requires two-factor login: the new account enrols before its first page.
    if (await totpRequired(ctx.db, id)) return startPendingLogin(ctx, reply, { id, password_hash: hash }, '/admin', 'setup')
    await startLogin(ctx, reply, id)
    request.log.info({ facilitator: id, platform: platformId }, 'invitation accepted')
    const platform = await findPlatform(ctx.db, platformId)
    return reply.redirect(platformBase(platform), 303)
  })
}
