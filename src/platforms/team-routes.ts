import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Platform } from '../db/schema.js'
import { notFound } from '../web/errors.js'
import { email, type FieldErrors, integer, line, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { platformBase, platformOf } from './access.js'
import { createAccountToken, joinPlatform, leavePlatform, openInvitations, queueAccountMail, teamOf } from './accounts.js'
import { findFacilitatorByEmail } from './store.js'

// "Équipe" (#17): the facilitators of a platform see who else runs it, invite a colleague by email (a one-time
// link valid 7 days to choose a password, login-routes.ts) and remove one — never the last. Registered in the
// platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

const inviteForm = z.object({ name: line(120), email: email() })
const removeForm = z.object({ facilitator_id: integer(1, 999_999_999) })

export async function teamRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    const now = ctx.clock().toISOString()
    const [team, invitations] = await Promise.all([teamOf(ctx.db, platform.id), openInvitations(ctx.db, platform.id, now)])
    const notice = ({ invited: 'Invitation envoyée.', added: "Ce compte d'animation a rejoint l'équipe.", removed: "Retiré·e de l'équipe." } as Record<string, string>)[String((request.query as Record<string, unknown>).ok)]
    return page(request, reply, 'admin/team.eta', {
      title: 'Équipe', platform, base: platformBase(platform), team, invitations, values, errors, notice, me: request.login!.facilitatorId,
    }, status)
  }

  app.get('/equipe', async (request, reply) => {
    const platform = platformOf(request)
    return render(request, reply, platform, {}, {})
  })

  app.post('/equipe', { config: { rateLimit: { max: 30, timeWindow: '1 hour' } } }, async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(inviteForm, request.body)
    if (!form.ok) return render(request, reply, platform, form.values, form.errors, 400)
    const address = form.data.email.toLowerCase()
    const team = await teamOf(ctx.db, platform.id)
    if (team.some((f) => f.email === address)) {
      return render(request, reply, platform, form.values, { email: "Cette adresse fait déjà partie de l'équipe." }, 400)
    }
    const existing = await findFacilitatorByEmail(ctx.db, address)
    if (existing) {
      // Already a facilitator elsewhere: they keep their password and find the platform in their header.
      await joinPlatform(ctx.db, existing.id, platform.id)
      request.log.info({ facilitator: existing.id, platform: platform.id }, 'facilitator added to a platform')
      return reply.redirect(`${platformBase(platform)}/equipe?ok=added`, 303)
    }
    await ctx.db.transaction().execute(async (trx) => {
      const id = await createAccountToken(trx, ctx.config.sessionSecret, {
        purpose: 'invitation', facilitatorId: null, platformId: platform.id, email: address, name: form.data.name, invitedBy: request.login!.facilitatorId,
      }, ctx.clock())
      await queueAccountMail(ctx, trx, id, 'facilitator.invitation', {
        recipientName: form.data.name, platformName: platform.name, inviterName: request.login!.name, email: address,
      })
    })
    request.log.info({ platform: platform.id }, 'facilitator invited')
    return reply.redirect(`${platformBase(platform)}/equipe?ok=invited`, 303)
  })

  app.post('/equipe/retirer', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(removeForm, request.body)
    if (!form.ok) return render(request, reply, platform, {}, { _form: 'Choisissez dans la liste la personne à retirer.' }, 400)
    const result = await leavePlatform(ctx.db, form.data.facilitator_id, platform.id)
    // Someone of another platform looks like nobody.
    if (result === 'not-member') return notFound(request, reply)
    if (result === 'last') {
      return render(request, reply, platform, {}, { _form: "La plateforme doit garder au moins une personne à l'animation : invitez quelqu'un avant de vous retirer." }, 409)
    }
    request.log.info({ facilitator: form.data.facilitator_id, platform: platform.id }, 'facilitator removed from a platform')
    if (form.data.facilitator_id === request.login!.facilitatorId) return reply.redirect('/admin', 303)
    return reply.redirect(`${platformBase(platform)}/equipe?ok=removed`, 303)
  })
}
