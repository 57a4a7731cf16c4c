import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { requireLogin } from '../web/guards.js'
import { page } from '../web/views.js'
import { findFacilitatorById } from './accounts.js'
import { burnPasswordTime, verifyPassword } from './passwords.js'
import { hashRecoveryCode, newRecoveryCodes, newTotpSecret } from './totp.js'
import { confirmEnrolment, enrolmentView, recoveryCodesPage } from './totp-enrol.js'
import { findTotp, removeTotp, replaceRecoveryCodes, totpRequired, unusedRecoveryCodes } from './totp-store.js'
import { verifySecondFactor } from './totp-verify.js'

// A facilitator's own account page (/admin/account): two-factor login turned on from an enrolment page (QR
// code and key, confirmed by a first code before anything is stored; then ten recovery codes shown once), and
// off again with the password and a code.

const disableForm = z.object({ password: z.string().max(256), code: z.string().max(64) })

const NOTICES: Record<string, string> = {
  off: 'La double authentification est désactivée. Votre mot de passe suffit de nouveau pour vous connecter.',
  used: 'Vous vous êtes connecté avec un code de secours, qui ne servira plus.',
}

export async function totpRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  app.addHook('onRequest', requireLogin)
  const limited = { rateLimit: { max: 10, timeWindow: '1 minute' } }

  async function accountPage(request: FastifyRequest, reply: FastifyReply, errors: Record<string, string> = {}, status = 200) {
    const me = request.login!.facilitatorId
    const totp = await findTotp(ctx.db, me)
    const query = request.query as Record<string, unknown>
    const notice = query.totp === 'off' ? NOTICES.off : query.recovery === 'used' ? NOTICES.used : null
    return page(request, reply, 'admin/account.eta', {
      title: 'Mon compte', totp: Boolean(totp), enabledAt: totp?.enabled_at.slice(0, 10) ?? null, required: await totpRequired(ctx.db, me),
      recoveryLeft: totp ? await unusedRecoveryCodes(ctx.db, me) : 0, notice, errors,
    }, status)
  }

  async function enrolPage(request: FastifyRequest, reply: FastifyReply, secret: string, errors: Record<string, string> = {}, status = 200) {
    const login = request.login!
    reply.header('cache-control', 'no-store')
    // Sent here by a platform that requires it (access.ts): named only if this account runs it.
    const slug = (request.query as Record<string, unknown>).plateforme
    const requiredBy = login.platforms.find((p) => p.slug === slug)?.name ?? null
    return page(request, reply, 'admin/account-totp.eta', {
      title: 'Activer la double authentification', action: '/admin/account/totp', cancel: '/admin/account', requiredBy,
      ...(await enrolmentView(ctx, { id: login.facilitatorId, email: login.email }, secret)), errors,
    }, status)
  }

  app.get('/account', async (request, reply) => accountPage(request, reply))

  // A new secret at every opening; nothing is written until the first code comes back with it.
  app.get('/account/totp', async (request, reply) => {
    if (await findTotp(ctx.db, request.login!.facilitatorId)) return reply.redirect('/admin/account', 303)
    return enrolPage(request, reply, newTotpSecret())
  })

  app.post('/account/totp', { config: limited }, async (request, reply) => {
    const me = request.login!.facilitatorId
    if (await findTotp(ctx.db, me)) return reply.redirect('/admin/account', 303)
    const result = await confirmEnrolment(ctx, me, request.body)
    if (!result.ok) {
      if ('already' in result) return reply.redirect('/admin/account', 303)
      return enrolPage(request, reply, result.secret ?? newTotpSecret(), { code: result.error }, 400)
    }
    request.log.info({ facilitator: me }, 'two-factor login enabled')
    return recoveryCodesPage(request, reply, result.codes, '/admin/account')
  })

  /** The password and a second factor of the logged-in account, or the account page with the French error. */
  async function confirmed(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const me = request.login!.facilitatorId
    const parsed = disableForm.safeParse(request.body)
    const account = await findFacilitatorById(ctx.db, me)
    const passwordOk = parsed.success && account
      ? await verifyPassword(account.password_hash, parsed.data.password)
      : (await burnPasswordTime(''), false)
    if (!passwordOk || !parsed.success) {
      await accountPage(request, reply, { password: 'Ce mot de passe n’est pas le bon.' }, 401)
      return false
    }
    const second = await verifySecondFactor(ctx, me, parsed.data.code)
    if (!second.ok) await accountPage(request, reply, { code: second.message }, second.status)
    return second.ok
  }

  // Ten new recovery codes, the old ones no longer valid: with the password and a code.
  app.post('/account/totp/recovery', { config: limited }, async (request, reply) => {
    const me = request.login!.facilitatorId
    if (!(await findTotp(ctx.db, me))) return reply.redirect('/admin/account', 303)
    if (!(await confirmed(request, reply))) return reply
    const codes = newRecoveryCodes()
    await replaceRecoveryCodes(ctx.db, me, codes.map((c) => hashRecoveryCode(ctx.config.sessionSecret, c)))
    request.log.info({ facilitator: me }, 'recovery codes replaced')
    return recoveryCodesPage(request, reply, codes, '/admin/account', true)
  })

  app.post('/account/totp/disable', { config: limited }, async (request, reply) => {
    const me = request.login!.facilitatorId
    if (!(await findTotp(ctx.db, me))) return reply.redirect('/admin/account', 303)
    if (await totpRequired(ctx.db, me)) {
      return accountPage(request, reply, { code: 'Une plateforme que vous animez exige la double authentification : elle ne peut pas être désactivée.' }, 409)
    }
    if (!(await confirmed(request, reply))) return reply
    await removeTotp(ctx.db, me)
    request.log.info({ facilitator: me }, 'two-factor login disabled')
    return reply.redirect('/admin/account?totp=off', 303)
  })
}
