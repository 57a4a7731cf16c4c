import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { type AuditActor, record } from '../audit/store.js'
import { accountPlatforms, findFacilitatorById, listAccounts, setAdminRole } from '../platforms/accounts.js'
import { findAnyPlatformBySlug, listAllPlatforms } from '../platforms/store.js'
import { removeTotp, setTotpRequired, totpAccounts } from '../platforms/totp-store.js'
import { endLogins } from '../web/login.js'
import { errorPage, notFound } from '../web/errors.js'
import { requireAdmin } from '../web/guards.js'
import { page } from '../web/views.js'

// Instance administrators: every account, its platforms, its role and whether two-factor login is on; reset a
// colleague's two-factor login (a lost phone without recovery codes), give or take the administrator role
// (never from the last administrator).

const roleForm = z.object({ role: z.enum(['admin', 'facilitator']) })
const requireForm = z.object({ require: z.enum(['yes', 'no']) })

const NOTICES: Record<string, string> = {
  reset: 'La double authentification de ce compte est réinitialisée : son mot de passe suffit pour se connecter, et il peut la réactiver depuis « Mon compte ».',
  admin: 'Ce compte est maintenant administrateur de l’instance.',
  facilitator: 'Ce compte n’est plus administrateur de l’instance.',
  required: 'La double authentification est exigée sur cette plateforme : les personnes qui l’animent sans l’avoir activée sont déconnectées et l’activeront à leur prochaine connexion.',
  optional: 'La double authentification n’est plus exigée sur cette plateforme.',
}

export async function adminAccountRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  // Each change is written to the audit trail in its own transaction (ids and figures only).
  const actor = (request: FastifyRequest): AuditActor => ({ kind: 'facilitator', facilitatorId: request.login!.facilitatorId, address: request.ip })
  app.addHook('onRequest', requireAdmin)

  async function accountOf(request: FastifyRequest) {
    const { id } = request.params as { id: string }
    return /^\d{1,9}$/.test(id) ? findFacilitatorById(ctx.db, Number(id)) : undefined
  }

  async function listPage(request: FastifyRequest, reply: FastifyReply, status = 200, alert: string | null = null) {
    const [accounts, withTotp, platforms, all] = await Promise.all([listAccounts(ctx.db), totpAccounts(ctx.db), accountPlatforms(ctx.db), listAllPlatforms(ctx.db)])
    const done = (request.query as Record<string, unknown>).done
    return page(request, reply, 'admin/accounts.eta', {
      title: 'Comptes', me: request.login!.facilitatorId, alert,
      notice: typeof done === 'string' ? NOTICES[done] ?? null : null,
      accounts: accounts.map((a) => ({ ...a, totp: withTotp.has(a.id), platforms: platforms.get(a.id) ?? [] })),
      platforms: all.filter((p) => !p.archived_at).map((p) => ({ slug: p.slug, name: p.name, required: p.require_totp === 1 })),
    }, status)
  }

  app.get('/accounts', async (request, reply) => listPage(request, reply))

  app.post('/accounts/:id/totp-reset', async (request, reply) => {
    const account = await accountOf(request)
    if (!account) return notFound(request, reply)
    const removed = await ctx.db.transaction().execute(async (trx) => {
      if (!(await removeTotp(trx, account.id))) return false
      await record(trx, { platformId: null, actor: actor(request), action: 'account.totp-reset', rows: { facilitator: [account.id] } }, ctx.clock().toISOString())
      return true
    })
    if (removed) request.log.warn({ facilitator: account.id, by: request.login!.facilitatorId }, 'two-factor login reset by an administrator')
    return reply.redirect('/admin/accounts?done=reset', 303)
  })

  // Registered under /admin/platforms/{slug}/…, an administrators' path: the form is on the Comptes page.
  app.post('/platforms/:slug/two-factor', async (request, reply) => {
    const { slug } = request.params as { slug: string }
    const platform = await findAnyPlatformBySlug(ctx.db, slug)
    if (!platform) return notFound(request, reply)
    const parsed = requireForm.safeParse(request.body)
    if (!parsed.success) return errorPage(request, reply, 400, 'Choix inconnu', 'Choisissez d’exiger ou non la double authentification.')
    const required = parsed.data.require === 'yes'
    await ctx.db.transaction().execute(async (trx) => {
      const without = await setTotpRequired(trx, platform.id, required, ctx.clock().toISOString())
      for (const id of without) await endLogins(trx, id)
      await record(trx, {
        platformId: platform.id, actor: actor(request), action: 'platform.totp-required', counts: { required: required ? 1 : 0, logged_out: without.length },
      }, ctx.clock().toISOString())
    })
    request.log.info({ platform: platform.id, required, by: request.login!.facilitatorId }, 'two-factor login requirement')
    return reply.redirect(`/admin/accounts?done=${required ? 'required' : 'optional'}`, 303)
  })

  app.post('/accounts/:id/role', async (request, reply) => {
    const account = await accountOf(request)
    if (!account) return notFound(request, reply)
    const parsed = roleForm.safeParse(request.body)
    if (!parsed.success) return errorPage(request, reply, 400, 'Rôle inconnu', 'Choisissez « administrateur » ou « animation ».')
    const admin = parsed.data.role === 'admin'
    const result = await ctx.db.transaction().execute(async (trx) => {
      const changed = await setAdminRole(trx, account.id, admin)
      if (changed === 'changed') {
        await record(trx, { platformId: null, actor: actor(request), action: 'account.role', rows: { facilitator: [account.id] }, counts: { admin: admin ? 1 : 0 } }, ctx.clock().toISOString())
      }
      return changed
    })
    if (result === 'last-admin') {
      return listPage(request, reply, 409, `${account.name} est le dernier administrateur de l’instance : nommez-en un autre avant de lui retirer ce rôle.`)
    }
    request.log.info({ facilitator: account.id, role: parsed.data.role, by: request.login!.facilitatorId }, 'administrator role')
    // An administrator who gave up the role leaves these pages.
    if (account.id === request.login!.facilitatorId && parsed.data.role === 'facilitator') return reply.redirect('/admin', 303)
    return reply.redirect(`/admin/accounts?done=${parsed.data.role}`, 303)
  })
}
