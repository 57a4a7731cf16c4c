import { createHash, createHmac, randomInt, timingSafeEqual } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import type QRCodeModule from 'qrcode'
import { requireLater } from '../require-later.js'
import { openSecret, sealSecret } from '../web/secret-box.js'

/** Loaded when a facilitator first sets up a code app. */
const qrcode = requireLater<typeof QRCodeModule>('qrcode')

// Two-factor login (TOTP, RFC 6238: SHA-1, 6 digits, 30 s, one step of drift either way) — the pure rules.
// The secret never leaves the server in clear except on the enrolment page; at rest it is a secret box
// (web/secret-box.ts). A code is accepted only for a step later than the last one accepted, so a code seen
// over a shoulder or replayed from a proxy log opens nothing. The secret and the clock are handed in.

const TOTP_ISSUER = 'Fabrik'
const RECOVERY_CODE_COUNT = 10
/** How long the password-checked, code-awaiting state lasts. */
export const PENDING_LIFETIME_MS = 5 * 60 * 1000
/** How long an enrolment page's secret may wait for its first code. */
const ENROL_LIFETIME_MS = 30 * 60 * 1000

const BOX_PURPOSE = 'totp-secret'

function totpOf(base32: string, label = ''): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(base32) })
}

/** A fresh secret (160 bits, as RFC 4226 recommends), in base32. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

/** The base32 key in groups of four, as typed into an app by hand. */
export function groupedKey(base32: string): string {
  return base32.replace(/(.{4})/g, '$1 ').trim()
}

export function otpauthUri(base32: string, email: string): string {
  return totpOf(base32, email).toString()
}

/** The enrolment QR code, as an SVG data: URL for an <img> (no script, no external service). */
export async function qrDataUrl(text: string): Promise<string> {
  const svg = await qrcode().toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`
}

/** The code an authenticator app shows at `now` (tests, and nothing else, need it). */
export function codeAt(base32: string, now: Date): string {
  return totpOf(base32).generate({ timestamp: now.getTime() })
}

/** Digits only, spaces and dashes dropped: "123 456" is 123456. */
function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '').toLowerCase()
}

export type CodeCheck = { ok: true; counter: number } | { ok: false; reason: 'malformed' | 'wrong' | 'replayed' }

/** Whether `input` is the code of `base32` at `now` (±30 s) for a step after `lastCounter`. */
export function checkCode(base32: string, input: string, now: Date, lastCounter: number | null): CodeCheck {
  const code = normaliseCode(input)
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'malformed' }
  const totp = totpOf(base32)
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: 1 })
  if (delta === null) return { ok: false, reason: 'wrong' }
  const counter = totp.counter({ timestamp: now.getTime() }) + delta
  if (lastCounter !== null && counter <= lastCounter) return { ok: false, reason: 'replayed' }
  return { ok: true, counter }
}

export const CODE_MESSAGES: Record<Exclude<CodeCheck, { ok: true }>['reason'], string> = {
  malformed: "Saisissez les 6 chiffres affichés par votre application d'authentification, ou un code de secours.",
  wrong: "Ce code n'est pas le bon. Vérifiez l'heure de votre téléphone et saisissez le code affiché maintenant.",
  replayed: 'Ce code a déjà servi. Attendez que votre application en affiche un nouveau (toutes les 30 secondes).',
}

export function sealTotpSecret(sessionSecret: string, base32: string): string {
  return sealSecret(sessionSecret, BOX_PURPOSE, base32)
}

export function openTotpSecret(sessionSecret: string, box: string): string | null {
  return openSecret(sessionSecret, BOX_PURPOSE, box)
}

// Recovery codes: ten of 12 characters from an alphabet without look-alikes (about 59 bits each), shown as
// "abcd-efgh-jkmn"; only an HMAC under a key derived from SESSION_SECRET is stored.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`
  })
}

export function looksLikeRecoveryCode(input: string): boolean {
  return /^[a-z0-9]{12}$/.test(normaliseCode(input))
}

export function hashRecoveryCode(sessionSecret: string, input: string): string {
  const key = createHmac('sha256', sessionSecret).update('totp-recovery-code').digest()
  return createHmac('sha256', key).update(normaliseCode(input)).digest('hex')
}

// The half-logged-in state between the password and the code: a short-lived cookie "id.expiry.mac", the MAC
// binding the account, the expiry and its current password hash (a password reset voids it). It opens no
// page: only the code form reads it, and a full login starts only once the code is right.
function pendingMac(sessionSecret: string, facilitatorId: number, exp: number, passwordHash: string): Buffer {
  const key = createHmac('sha256', sessionSecret).update('totp-pending-login').digest()
  const tag = createHash('sha256').update(passwordHash).digest('hex')
  return createHmac('sha256', key).update(`${facilitatorId}.${exp}.${tag}`).digest()
}

export function sealPending(sessionSecret: string, facilitatorId: number, passwordHash: string, now: Date): string {
  const exp = now.getTime() + PENDING_LIFETIME_MS
  return `${facilitatorId}.${exp}.${pendingMac(sessionSecret, facilitatorId, exp, passwordHash).toString('base64url')}`
}

/** The account id a pending cookie names, before its MAC is checked (to look up the password hash). */
export function pendingAccount(value: string | undefined): { facilitatorId: number; exp: number; mac: string } | null {
  const m = /^(\d{1,12})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '')
  return m ? { facilitatorId: Number(m[1]), exp: Number(m[2]), mac: m[3]! } : null
}

export function pendingValid(sessionSecret: string, pending: { facilitatorId: number; exp: number; mac: string }, passwordHash: string, now: Date): boolean {
  if (now.getTime() > pending.exp) return false
  const expected = pendingMac(sessionSecret, pending.facilitatorId, pending.exp, passwordHash)
  const given = Buffer.from(pending.mac, 'base64url')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

// The enrolment page's secret travels in its form, sealed for this account and for ENROL_LIFETIME_MS: the
// GET writes nothing, and nothing is stored before the first code proves the app has it.
export function sealEnrolment(sessionSecret: string, facilitatorId: number, base32: string, now: Date): string {
  return sealSecret(sessionSecret, `totp-enrol:${facilitatorId}`, `${base32}.${now.getTime() + ENROL_LIFETIME_MS}`)
}

export function openEnrolment(sessionSecret: string, facilitatorId: number, sealed: string, now: Date): string | null {
  const plain = openSecret(sessionSecret, `totp-enrol:${facilitatorId}`, sealed)
  const m = /^([A-Z2-7]+)\.(\d+)$/.exec(plain ?? '')
  if (!m || now.getTime() > Number(m[2])) return null
  return m[1]!
}
