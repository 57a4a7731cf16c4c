import type { AppContext } from '../context.js'
import { CODE_MESSAGES, checkCode, hashRecoveryCode, looksLikeRecoveryCode, openTotpSecret } from './totp.js'
import { acceptCounter, findTotp, useRecoveryCode } from './totp-store.js'

export type SecondFactor = { ok: true; via: 'code' | 'recovery' } | { ok: false; message: string; status: 400 | 401 }

const RECOVERY_REFUSED = "Ce code de secours n'est pas valable ou a déjà servi. Chaque code de secours ne sert qu'une fois."
const UNREADABLE = "Le secret de votre double authentification ne peut plus être lu (la clé de l'instance a changé). Utilisez un code de secours, ou demandez à un administrateur de réinitialiser votre double authentification."

/** Checks a code of the account's app (never twice the same step) or one of its recovery codes (once). */
export async function verifySecondFactor(ctx: AppContext, facilitatorId: number, input: string): Promise<SecondFactor> {
  const row = await findTotp(ctx.db, facilitatorId)
  if (!row) return { ok: false, message: CODE_MESSAGES.wrong, status: 401 }
  const now = ctx.clock()
  if (looksLikeRecoveryCode(input)) {
    const used = await useRecoveryCode(ctx.db, facilitatorId, hashRecoveryCode(ctx.config.sessionSecret, input), now.toISOString())
    return used ? { ok: true, via: 'recovery' } : { ok: false, message: RECOVERY_REFUSED, status: 401 }
  }
  const secret = openTotpSecret(ctx.config.sessionSecret, row.secret_box)
  if (secret === null) return { ok: false, message: UNREADABLE, status: 401 }
  const check = checkCode(secret, input, now, row.last_counter)
  if (!check.ok) return { ok: false, message: CODE_MESSAGES[check.reason], status: check.reason === 'malformed' ? 400 : 401 }
  // Two requests with the same code at once: only one moves the step on.
  if (!(await acceptCounter(ctx.db, facilitatorId, check.counter))) return { ok: false, message: CODE_MESSAGES.replayed, status: 401 }
  return { ok: true, via: 'code' }
}
