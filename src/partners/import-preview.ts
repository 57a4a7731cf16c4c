import { createHmac, timingSafeEqual } from 'node:crypto'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import type { ImportError, ImportRow, ParsedContacts } from './csv-import.js'

// Between the preview and the confirmation of a CSV import, the rows read from the file travel in the
// confirm form, sealed: compact (deflated), signed with a key derived from SESSION_SECRET and bound to the
// facilitator and platform that previewed them, and short-lived. The confirmation imports exactly what the
// preview showed, without sending the file again or re-reading it, and nothing is written before it (no
// server-side draft to clean up). Pure: the secret and the clock are handed in.

/** How long a preview may wait for its confirmation (a long list read, a phone call in between). */
export const PREVIEW_LIFETIME_MS = 2 * 60 * 60 * 1000

export interface PreviewOwner { platformId: number; facilitatorId: number }

type Packed = {
  exp: number
  rows: Array<[number, string, string, string, string | null, string | null]>
  errors: Array<[number, string]>
}

const keyOf = (secret: string) => createHmac('sha256', secret).update('contact-import-preview').digest()

function mac(secret: string, owner: PreviewOwner, payload: string): Buffer {
  return createHmac('sha256', keyOf(secret)).update(`${owner.platformId}:${owner.facilitatorId}:${payload}`).digest()
}

export function sealPreview(secret: string, owner: PreviewOwner, parsed: ParsedContacts, now: Date): string {
  const packed: Packed = {
    exp: now.getTime() + PREVIEW_LIFETIME_MS,
    rows: parsed.rows.map((r) => [r.line, r.organisation, r.name, r.email, r.phone, r.role]),
    errors: parsed.errors.map((e) => [e.line, e.message]),
  }
  const payload = deflateRawSync(Buffer.from(JSON.stringify(packed), 'utf8')).toString('base64url')
  return `${payload}.${mac(secret, owner, payload).toString('base64url')}`
}

/** The rows of a preview this facilitator made on this platform; null when altered, foreign or expired. */
export function openPreview(secret: string, owner: PreviewOwner, sealed: string, now: Date): ParsedContacts | null {
  const [payload, signature, extra] = sealed.split('.')
  if (!payload || !signature || extra !== undefined) return null
  const expected = mac(secret, owner, payload)
  const given = Buffer.from(signature, 'base64url')
  // Only a payload this app signed is ever inflated (no decompression bomb from outside).
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  const packed = JSON.parse(inflateRawSync(Buffer.from(payload, 'base64url')).toString('utf8')) as Packed
  if (now.getTime() > packed.exp) return null
  const rows: ImportRow[] = packed.rows.map(([line, organisation, name, email, phone, role]) => ({ line, organisation, name, email, phone, role }))
  const errors: ImportError[] = packed.errors.map(([line, message]) => ({ line, message }))
  return { rows, errors }
}
