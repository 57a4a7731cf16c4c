import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { z } from 'zod'
import type { Selectable } from 'kysely'
import type { FacilitatorTokenTable } from '../db/schema.js'
import { findFacilitatorByEmail } from './store.js'
import { burnPasswordTime, hashPassword, passwordProblem, verifyPassword } from './passwords.js'
import { type AccountTokenPurpose, endResetTokens, findAccountToken, queueAccountMail, createAccountToken, setPassword, tokenState, useAccountToken } from './accounts.js'
import { endLogin, endLogins, loginCookieName, startLogin } from '../web/login.js'
import { loginTarget } from '../web/guards.js'
import { errorPage, notFound } from '../web/errors.js'
import { countGuess, isGuessing, tooManyGuesses } from '../web/guess-limit.js'
import { limit } from '../web/security.js'
import { page } from '../web/views.js'
import { startPendingLogin, totpLoginRoutes } from './totp-login-routes.js'
import { findTotp, totpRequired } from './totp-store.js'

const loginForm = z.object({ email: z.string().trim().max(254), password: z.string().max(256) })
const forgotForm = z.object({ email: z.string().trim().max(254) })
export const passwordForm = z.object({ password: z.string().max(1000), confirm: z.string().max(1000) })

/** The one answer to "Mot de passe oublié", whether the address has an account or not. */
export const FORGOT_ANSWER = "Si un compte d'animation existe avec cette adresse, un lien pour changer le mot de passe vient de lui être envoyé. Il est valable une heure et ne sert qu'une fois."

/** Reset mails one address may cause in an hour (beyond: the same answer, no mail). */
export const RESETS_PER_ADDRESS = 3

export type AccountTokenRow = Selectable<FacilitatorTokenTable>

const opened = new WeakMap<FastifyRequest, AccountTokenRow>()

/** The token row a one-time link route opened (its preHandler accountLink has run). */
export function openedAccountLink(request: FastifyRequest): AccountTokenRow {
  const row = opened.get(request)
  if (!row) throw new Error('accountLink preHandler missing')
  return row
}

/**
 * A one-time link's preHandler, before the CSRF check: a malformed or unknown token answers 404 (counted as a
 * guess), a used or expired one 410, a valid one goes on to the handler.
 */
export function accountLink(app: FastifyInstance, purpose: AccountTokenPurpose): preHandlerAsyncHookHandler {
  return async (request, reply) => {
    const wait = await isGuessing(request)
    if (wait !== null) return tooManyGuesses(request, reply, wait)
    const token = (request.params as { token: string }).token
    const row = await findAccountToken(app.ctx.db, purpose, token)
    const state = tokenState(row, app.ctx.clock().toISOString())
    if (state === 'unknown' || !row) {
      await countGuess(request)
      return notFound(request, reply)
    }
    reply.header('cache-control', 'no-store')
    if (state !== 'valid') {
      return purpose === 'reset'
        ? errorPage(request, reply, 410, 'Lien expiré', state === 'used'
          ? "Ce lien a déjà servi à changer le mot de passe. Pour le changer encore, demandez un nouveau lien depuis la page de connexion."
          : "Ce lien n'est plus valable (il l'est une heure). Demandez un nouveau lien depuis la page de connexion.")
        : errorPage(request, reply, 410, 'Invitation expirée', state === 'used'
          ? "Cette invitation a déjà été acceptée. Connectez-vous avec votre adresse e-mail et votre mot de passe."
          : "Cette invitation n'est plus valable (elle l'est 7 jours). Demandez à l'équipe d'animation de vous inviter à nouveau.")
    }
    opened.set(request, row)
  }
}

/** The password form's checks: French messages by field, or null. */
export function passwordErrors(password: string, confirm: string): Record<string, string> | null {
  const problem = passwordProblem(password)
  if (problem) return { password: problem }
  if (password !== confirm) return { confirm: 'Les deux mots de passe ne sont pas identiques.' }
  return null
}

export async function loginRoutes(app: FastifyInstance) {
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
    // Two-factor on: no login yet, only the short-lived signed state that the code form reads.
    if (await findTotp(ctx.db, facilitator.id)) return startPendingLogin(ctx, reply, facilitator, target)
    if (await totpRequired(ctx.db, facilitator.id)) return startPendingLogin(ctx, reply, facilitator, target, 'setup')
    if (request.login) await endLogin(ctx, request, reply)
    await startLogin(ctx, reply, facilitator.id)
    request.log.info({ facilitator: facilitator.id }, 'login')
    return reply.redirect(target, 303)
  })

  await totpLoginRoutes(app)

  app.post('/logout', async (request, reply) => {
    await endLogin(ctx, request, reply)
    return reply.redirect('/login', 303)
  })

  // "Mot de passe oublié": one answer whatever the address; per client address 10 requests in 15 minutes
  // (French 429), per typed address RESETS_PER_ADDRESS mails an hour (beyond, the same answer and no mail).
  const perAddress = app.createRateLimit({
    max: RESETS_PER_ADDRESS, timeWindow: '1 hour',
    keyGenerator: (request) => {
      const email = (request.body as Record<string, unknown> | undefined)?.email
      const key = typeof email === 'string' ? email.trim().toLowerCase() : ''
      return `reset-address:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}`
    },
  })
  const forgotLimit = limit(10, '15 minutes', 'Trop de demandes de nouveau mot de passe ont été envoyées depuis cette adresse. Réessayez')

  app.get('/login/forgot', async (request, reply) => {
    return page(request, reply, 'public/forgot.eta', { title: 'Mot de passe oublié', values: {}, errors: {} })
  })

  app.post('/login/forgot', { config: { rateLimit: forgotLimit } }, async (request, reply) => {
    const parsed = forgotForm.safeParse(request.body)
    const email = parsed.success ? parsed.data.email.toLowerCase() : ''
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      return page(request, reply, 'public/forgot.eta', {
        title: 'Mot de passe oublié', values: { email: parsed.success ? parsed.data.email : '' },
        errors: { email: 'Indiquez votre adresse e-mail, par exemple prenom.nom@exemple.fr.' },
      }, 400)
    }
    const state = await perAddress(request)
    if (state.isAllowed || !state.isExceeded) {
      const facilitator = await findFacilitatorByEmail(ctx.db, email)
      if (facilitator && !facilitator.disabled_at) {
        await ctx.db.transaction().execute(async (trx) => {
          const id = await createAccountToken(trx, ctx.config.sessionSecret, {
            purpose: 'reset', facilitatorId: facilitator.id, platformId: null, email: facilitator.email, name: facilitator.name,
          }, ctx.clock())
          await queueAccountMail(ctx, trx, id, 'facilitator.reset', { recipientName: facilitator.name, platformName: 'Fabrik', email: facilitator.email })
        })
        request.log.info({ facilitator: facilitator.id }, 'password reset requested')
      }
    } else {
      request.log.warn('password reset: too many requests for one address')
    }
    return page(request, reply, 'public/forgot.eta', { title: 'Mot de passe oublié', values: {}, errors: {}, sent: FORGOT_ANSWER })
  })

  const resetLink = accountLink(app, 'reset')
  const resetPage = (request: FastifyRequest, reply: FastifyReply, errors: Record<string, string>, status = 200) =>
    page(request, reply, 'public/reset.eta', {
      title: 'Nouveau mot de passe', action: request.url, errors, email: openedAccountLink(request).email,
    }, status)

  app.get('/login/reset/:token', { preHandler: resetLink }, async (request, reply) => resetPage(request, reply, {}))

  app.post('/login/reset/:token', { preHandler: resetLink, config: limited }, async (request, reply) => {
    const row = openedAccountLink(request)
    const parsed = passwordForm.safeParse(request.body)
    const errors = parsed.success ? passwordErrors(parsed.data.password, parsed.data.confirm) : { password: 'Choisissez un mot de passe.' }
    if (errors || !parsed.success || row.facilitator_id === null) return resetPage(request, reply, errors ?? {}, 400)
    const facilitatorId = row.facilitator_id
    const hash = await hashPassword(parsed.data.password)
    const now = ctx.clock().toISOString()
    // One transaction: the link is used, the password changed and every login of the account ends together.
    const done = await ctx.db.transaction().execute(async (trx) => {
      if (!(await useAccountToken(trx, row.id, now))) return false
      await setPassword(trx, facilitatorId, hash)
      await endResetTokens(trx, facilitatorId, now)
      await endLogins(trx, facilitatorId)
      return true
    })
    if (!done) return errorPage(request, reply, 410, 'Lien expiré', "Ce lien a déjà servi à changer le mot de passe.")
    reply.clearCookie(loginCookieName(ctx), { path: '/' })
    request.login = null
    request.log.info({ facilitator: facilitatorId }, 'password reset')
    return page(request, reply, 'public/login.eta', {
      title: 'Connexion', values: { email: row.email }, next: '',
      notice: 'Votre mot de passe est changé, et toutes les connexions ouvertes avec l’ancien sont fermées. Connectez-vous avec le nouveau.',
    })
  })
}
