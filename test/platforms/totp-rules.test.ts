import { describe, expect, it } from 'vitest'
import {
  checkCode, codeAt, hashRecoveryCode, looksLikeRecoveryCode, newRecoveryCodes, newTotpSecret, openEnrolment, openTotpSecret,
  otpauthUri, pendingAccount, pendingValid, qrDataUrl, sealEnrolment, sealPending, sealTotpSecret,
} from '../../src/platforms/totp.js'
import { openSecret, sealSecret } from '../../src/web/secret-box.js'

const SECRET = 'test-secret-test-secret-test-secret-123456'
const NOW = new Date('2026-12-03T09:00:10.000Z')

describe('TOTP codes', () => {
  const key = newTotpSecret()
  it('accepts the code of now and of the step either side, then never the same step again', () => {
    const now = checkCode(key, codeAt(key, NOW), NOW, null)
    expect(now.ok).toBe(true)
    const counter = now.ok ? now.counter : 0
    expect(checkCode(key, codeAt(key, NOW), NOW, counter)).toEqual({ ok: false, reason: 'replayed' })
    const before = checkCode(key, codeAt(key, new Date(NOW.getTime() - 30_000)), NOW, null)
    expect(before).toEqual({ ok: true, counter: counter - 1 })
    expect(checkCode(key, codeAt(key, new Date(NOW.getTime() + 30_000)), NOW, counter)).toEqual({ ok: true, counter: counter + 1 })
  })
  it('refuses a code two steps away, a wrong one and a malformed one; spaces are allowed', () => {
    expect(checkCode(key, codeAt(key, new Date(NOW.getTime() - 90_000)), NOW, null)).toEqual({ ok: false, reason: 'wrong' })
    const right = codeAt(key, NOW)
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0')
    expect(checkCode(key, wrong, NOW, null)).toEqual({ ok: false, reason: 'wrong' })
    expect(checkCode(key, '12345', NOW, null)).toEqual({ ok: false, reason: 'malformed' })
    expect(checkCode(key, `${right.slice(0, 3)} ${right.slice(3)}`, NOW, null).ok).toBe(true)
  })
  it('writes an otpauth URI and its QR code as an SVG data URL', async () => {
    const uri = otpauthUri(key, 'camille@test.example.org')
    expect(uri).toMatch(/^otpauth:\/\/totp\/Fabrik:camille%40test\.example\.org\?/)
    expect(uri).toContain(`secret=${key}`)
    const url = await qrDataUrl(uri)
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true)
    expect(Buffer.from(url.split(',')[1]!, 'base64').toString('utf8')).toContain('<svg')
  })
})

describe('secret boxes', () => {
  it('open only with the same secret and purpose, and not once altered', () => {
    const box = sealSecret(SECRET, 'p', 'JBSWY3DPEHPK3PXP')
    expect(box).not.toContain('JBSWY3DPEHPK3PXP')
    expect(openSecret(SECRET, 'p', box)).toBe('JBSWY3DPEHPK3PXP')
    expect(openSecret(SECRET, 'q', box)).toBeNull()
    expect(openSecret(`${SECRET}x`, 'p', box)).toBeNull()
    const parts = box.split('.')
    parts[2] = Buffer.from('x').toString('base64url')
    expect(openSecret(SECRET, 'p', parts.join('.'))).toBeNull()
    expect(openTotpSecret(SECRET, sealTotpSecret(SECRET, 'ABC'))).toBe('ABC')
  })
  it('an enrolment opens only for its account and for 30 minutes', () => {
    const sealed = sealEnrolment(SECRET, 7, 'JBSWY3DPEHPK3PXP', NOW)
    expect(openEnrolment(SECRET, 7, sealed, NOW)).toBe('JBSWY3DPEHPK3PXP')
    expect(openEnrolment(SECRET, 8, sealed, NOW)).toBeNull()
    expect(openEnrolment(SECRET, 7, sealed, new Date(NOW.getTime() + 31 * 60_000))).toBeNull()
  })
})

describe('recovery codes and the pending login', () => {
  it('makes ten distinct codes, hashed whatever their spelling', () => {
    const codes = newRecoveryCodes()
    expect(new Set(codes).size).toBe(10)
    for (const c of codes) expect(looksLikeRecoveryCode(c)).toBe(true)
    expect(hashRecoveryCode(SECRET, codes[0]!)).toBe(hashRecoveryCode(SECRET, codes[0]!.toUpperCase().replace(/-/g, ' ')))
    expect(hashRecoveryCode(SECRET, codes[0]!)).not.toContain(codes[0]!.replace(/-/g, ''))
    expect(looksLikeRecoveryCode('123456')).toBe(false)
  })
  it('a pending login holds five minutes, for its account and password only', () => {
    const value = sealPending(SECRET, 3, '$argon2id$hash', NOW)
    const pending = pendingAccount(value)!
    expect(pending.facilitatorId).toBe(3)
    expect(pendingValid(SECRET, pending, '$argon2id$hash', NOW)).toBe(true)
    expect(pendingValid(SECRET, pending, '$argon2id$other', NOW)).toBe(false)
    expect(pendingValid(SECRET, pending, '$argon2id$hash', new Date(NOW.getTime() + 5 * 60_000 + 1))).toBe(false)
    expect(pendingValid(SECRET, { ...pending, facilitatorId: 4 }, '$argon2id$hash', NOW)).toBe(false)
    expect(pendingAccount('3.1.x')).toBeNull()
  })
})
