import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

// Small secrets kept at rest encrypted (a two-factor secret): AES-256-GCM under a key derived from
// SESSION_SECRET with HKDF-SHA-256, one key per purpose. The box is "v1.<iv>.<ciphertext>.<tag>" (base64url);
// the purpose is also the additional data, so a box of one purpose never opens as another. Rotating
// SESSION_SECRET makes every box unreadable (for two-factor login: every account enrols again).

function keyOf(secret: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'fabrik-secret-box', purpose, 32))
}

export function sealSecret(secret: string, purpose: string, plain: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret, purpose), iv)
  cipher.setAAD(Buffer.from(purpose, 'utf8'))
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return ['v1', iv, data, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.')
}

/** The plain text of a box sealed for this purpose; null when altered, of another purpose or another secret. */
export function openSecret(secret: string, purpose: string, box: string): string | null {
  const [version, iv, data, tag, extra] = box.split('.')
  if (version !== 'v1' || !iv || data === undefined || !tag || extra !== undefined) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret, purpose), Buffer.from(iv, 'base64url'))
    decipher.setAAD(Buffer.from(purpose, 'utf8'))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    return null
  }
}
