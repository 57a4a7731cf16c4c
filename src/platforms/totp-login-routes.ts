import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AppContext } from '../context.js'
import type { Facilitator } from '../db/schema.js'
import { tooManyRequests } from '../web/errors.js'
import { loginTarget } from '../web/guards.js'
import { endLogin, startLogin } from '../web/login.js'
import { limit } from '../web/security.js'
import { page } from '../web/views.js'
import { findFacilitatorById } from './accounts.js'
import { newTotpSecret, PENDING_LIFETIME_MS, pendingAccount, pendingValid, sealPending } from './totp.js'
import { confirmEnrolment, enrolmentView, recoveryCodesPage } from './totp-enrol.js'
import { findTotp } from './totp-store.js'
import { verifySecondFactor } from './totp-verify.js'

// The second step of a login with two-factor on: after the right password, the browser holds only a signed
// cookie valid PENDING_LIFETIME_MS (totp.ts sealPending), which opens no page; /login/code asks for the
// 6-digit code (or a recovery code) and only then starts the login. Per client address 10 tries a minute, per
// account CODES_PER_ACCOUNT in 15 minutes (counted only once the cookie's signature holds, so nobody can use up
// another's tries).
// An account without two-factor on a platform that requires it gets the same cookie after its password, and
// /login/totp-setup: it enrols there (QR code, first code, recovery codes) and is logged in only then.

export const CODES_PER_ACCOUNT = 5
const codeForm = z.object({ code: z.string().max(64) })

function pendingCookieName(ctx: AppContext): string {
  return ctx.config.secureCookies ? '__Host-fabrik_pending' : 'fabrik_pending'
}

const stepUrl = (path: string, target: string) => (target === '/admin' ? path : `${path}?next=${encodeURIComponent(target)}`)
const codeUrl = (target: string) => stepUrl('/login/code', target)
const setupUrl = (target: string) => stepUrl('/login/totp-setup', target)
/** Where the login leads once done (`?next=`, checked by loginTarget): '/admin' by default. */
const targetOf = (request: FastifyRequest) => loginTarget((request.query as Record<string, unknown>).next) ?? '/admin'

/**
 * After the password, for an account with two-factor on (step 'code') or required and not yet on (step
 * 'setup'): the pending cookie and the way to the next form.
 */
export function startPendingLogin(ctx: AppContext, reply: FastifyReply, facilitator: Pick<Facilitator, 'id' | 'password_hash'>, target: string, step: 'code' | 'setup' = 'code') {
  reply.setCookie(pendingCookieName(ctx), sealPending(ctx.config.sessionSecret, facilitator.id, facilitator.password_hash, ctx.clock()), {
    path: '/', httpOnly: true, sameSite: 'strict', secure: ctx.config.secureCookies, maxAge: PENDING_LIFETIME_MS / 1000,
  })
  return reply.redirect(step === 'code' ? codeUrl(target) : setupUrl(target), 303)
}

/** The account a valid pending cookie names, or null (absent, altered, expired, password changed, disabled). */
async function pendingFacilitator(ctx: AppContext, request: FastifyRequest): Promise<Facilitator | null> {
  const pending = pendingAccount(request.cookies[pendingCookieName(ctx)])
  if (!pending) return null
  const facilitator = await findFacilitatorById(ctx.db, pending.facilitatorId)
  if (!facilitator || facilitator.disabled_at) return null
  return pendingValid(ctx.config.sessionSecret, pending, facilitator.password_hash, ctx.clock()) ? facilitator : null
}

export async function totpLoginRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const perAccount = app.createRateLimit({
    max: CODES_PER_ACCOUNT, timeWindow: '15 minutes',
    keyGenerator: (request) => `totp-account:${pendingAccount(request.cookies[pendingCookieName(ctx)])?.facilitatorId ?? 'none'}`,
  })
  const perAddress = limit(10, '1 minute', 'Trop de codes ont été envoyés depuis cette adresse en peu de temps. Réessayez')

  const expired = (request: FastifyRequest, reply: FastifyReply) => {
    reply.clearCookie(pendingCookieName(ctx), { path: '/' })
    return page(request, reply, 'public/login.eta', {
      title: 'Connexion', values: {}, next: '',
      notice: 'Votre connexion a expiré avant le code (5 minutes). Saisissez à nouveau votre adresse et votre mot de passe.',
    }, 401)
  }
  const codePage = (request: FastifyRequest, reply: FastifyReply, target: string, error: string | null, status = 200) => {
    reply.header('cache-control', 'no-store')
    return page(request, reply, 'public/login-code.eta', {
      title: 'Code de vérification', action: codeUrl(target), errors: error ? { code: error } : {},
    }, status)
  }

  /**
   * A POST's first checks: a valid pending cookie (else the login starts again) and tries left for this
   * account (else 429 with `sentence`). Either refusal comes back as the reply sent.
   */
  const pendingWithTries = async (request: FastifyRequest, reply: FastifyReply, sentence: string): Promise<{ facilitator: Facilitator } | { refused: FastifyReply }> => {
    const facilitator = await pendingFacilitator(ctx, request)
    if (!facilitator) return { refused: expired(request, reply) }
    const state = await perAccount(request)
    if (state.isAllowed || !state.isExceeded) return { facilitator }
    request.log.warn({ facilitator: facilitator.id }, 'login code: too many tries')
    return { refused: tooManyRequests(request, reply, state.ttlInSeconds ?? 900, { sentence }) }
  }
  /** The right code: the pending cookie ends and the login starts (one already open ends first). */
  const logIn = async (request: FastifyRequest, reply: FastifyReply, facilitatorId: number) => {
    reply.clearCookie(pendingCookieName(ctx), { path: '/' })
    if (request.login) await endLogin(ctx, request, reply)
    await startLogin(ctx, reply, facilitatorId)
  }

  const setupPage = async (request: FastifyRequest, reply: FastifyReply, facilitator: Facilitator, target: string, secret: string, error: string | null, status = 200) => {
    reply.header('cache-control', 'no-store')
    return page(request, reply, 'admin/account-totp.eta', {
      title: 'Activer la double authentification', action: setupUrl(target), cancel: '/login', required: true,
      ...(await enrolmentView(ctx, facilitator, secret)), errors: error ? { code: error } : {},
    }, status)
  }

  app.get('/login/totp-setup', async (request, reply) => {
    const target = targetOf(request)
    const facilitator = await pendingFacilitator(ctx, request)
    if (!facilitator) return reply.redirect('/login', 303)
    if (await findTotp(ctx.db, facilitator.id)) return reply.redirect(codeUrl(target), 303)
    return setupPage(request, reply, facilitator, target, newTotpSecret(), null)
  })

  app.post('/login/totp-setup', { config: { rateLimit: perAddress } }, async (request, reply) => {
    const target = targetOf(request)
    const pending = await pendingWithTries(request, reply, 'Trop de codes ont été essayés pour ce compte. Réessayez')
    if ('refused' in pending) return pending.refused
    const { facilitator } = pending
    const result = await confirmEnrolment(ctx, facilitator.id, request.body)
    if (!result.ok) {
      if ('already' in result) return reply.redirect(codeUrl(target), 303)
      return setupPage(request, reply, facilitator, target, result.secret ?? newTotpSecret(), result.error, 400)
    }
    await logIn(request, reply, facilitator.id)
    request.log.info({ facilitator: facilitator.id }, 'two-factor login enabled at login; login')
    return recoveryCodesPage(request, reply, result.codes, target)
  })

  app.get('/login/code', async (request, reply) => {
    const target = targetOf(request)
    if (!(await pendingFacilitator(ctx, request))) return reply.redirect('/login', 303)
    return codePage(request, reply, target, null)
  })

  app.post('/login/code', { config: { rateLimit: perAddress } }, async (request, reply) => {
    const target = targetOf(request)
    const pending = await pendingWithTries(request, reply,
      'Trop de codes ont été essayés pour ce compte. Par sécurité, attendez avant de réessayer. Réessayez')
    if ('refused' in pending) return pending.refused
    const { facilitator } = pending
    const parsed = codeForm.safeParse(request.body)
    const result = await verifySecondFactor(ctx, facilitator.id, parsed.success ? parsed.data.code : '')
    if (!result.ok) {
      request.log.info({ facilitator: facilitator.id }, 'login code refused')
      return codePage(request, reply, target, result.message, result.status)
    }
    await logIn(request, reply, facilitator.id)
    request.log.info({ facilitator: facilitator.id, via: result.via }, 'login')
    if (result.via === 'recovery') return reply.redirect('/admin/account?recovery=used', 303)
    return reply.redirect(target, 303)
  })
}


