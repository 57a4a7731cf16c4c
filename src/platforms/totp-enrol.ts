import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { AppContext } from '../context.js'
import { page } from '../web/views.js'
import {
  CODE_MESSAGES, checkCode, groupedKey, hashRecoveryCode, newRecoveryCodes, openEnrolment, otpauthUri, qrDataUrl, sealEnrolment,
  sealTotpSecret,
} from './totp.js'
import { enableTotp } from './totp-store.js'

// Enrolment, shared by the account page (totp-routes.ts) and the first login on a platform that requires it
// (totp-login-routes.ts): the page's data for a secret, the confirmation by a first code, and the page that
// shows the recovery codes.

const confirmForm = z.object({ enrolment: z.string().max(500), code: z.string().max(64) })

const ENROLMENT_EXPIRED = "Cette page d'activation a expiré (30 minutes). Ajoutez à nouveau Fabrik dans votre application avec ce nouveau code QR."

/** What the enrolment page shows for `secret`: the QR code, the key by hand, the sealed secret for the form. */
export async function enrolmentView(ctx: AppContext, account: { id: number; email: string }, secret: string) {
  return {
    qr: await qrDataUrl(otpauthUri(secret, account.email)), key: groupedKey(secret),
    enrolment: sealEnrolment(ctx.config.sessionSecret, account.id, secret, ctx.clock()),
  }
}

export type Confirmation =
  | { ok: true; codes: string[] }
  | { ok: false; secret: string | null; error: string }
  | { ok: false; already: true }

/** The first code: right, two-factor login is on with ten fresh recovery codes (returned, to be shown once). */
export async function confirmEnrolment(ctx: AppContext, facilitatorId: number, body: unknown): Promise<Confirmation> {
  const parsed = confirmForm.safeParse(body)
  const secret = parsed.success ? openEnrolment(ctx.config.sessionSecret, facilitatorId, parsed.data.enrolment, ctx.clock()) : null
  if (!parsed.success || secret === null) return { ok: false, secret: null, error: ENROLMENT_EXPIRED }
  const check = checkCode(secret, parsed.data.code, ctx.clock(), null)
  if (!check.ok) return { ok: false, secret, error: CODE_MESSAGES[check.reason] }
  const codes = newRecoveryCodes()
  const enabled = await enableTotp(ctx.db, {
    facilitatorId, box: sealTotpSecret(ctx.config.sessionSecret, secret), counter: check.counter,
    codeHashes: codes.map((c) => hashRecoveryCode(ctx.config.sessionSecret, c)), now: ctx.clock().toISOString(),
  })
  return enabled ? { ok: true, codes } : { ok: false, already: true }
}

/**
 * The recovery codes, shown this once and never cached: after an enrolment, or `renewed` in place of the old
 * ones. `next`: where the page's button leads on.
 */
export function recoveryCodesPage(request: FastifyRequest, reply: FastifyReply, codes: string[], next: string, renewed = false) {
  reply.header('cache-control', 'no-store')
  return page(request, reply, 'admin/account-recovery.eta', { title: 'Vos codes de secours', codes, next, renewed })
}
