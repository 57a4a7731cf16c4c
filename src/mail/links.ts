import { createHmac, timingSafeEqual } from 'node:crypto'
import type { OutboxRow } from '../db/schema.js'
import { personalToken, type TokenPurpose } from '../web/tokens.js'

// Personal links never rest in the outbox. A mail body holds a reference — which link, for whom — and the
// working URL is written in only when the message is sent (worker) or shown to a facilitator (Courriers):
// tokens are HMACs of {purpose, id, version} under SESSION_SECRET, so the reference is enough to write the
// link again, and a copy of the database without the secret opens nothing.
//
// A reference is `[[fabrik:<purpose>:<id>:<version>:<mac>]]`. The MAC (same secret, its own domain) binds it
// to the one address the message goes to: text typed by a holder or a facilitator (names, titles, messages)
// is written raw into the text part, so without it anyone who saw a reference (a copy of the database) could
// type it into their own booking and be mailed someone else's link. A reference whose MAC does not check is
// left as the text it is.

export interface LinkTarget {
  purpose: TokenPurpose
  id: number
  version: number
}

const PATHS: Record<TokenPurpose, (token: string) => string> = {
  pitch: (t) => `/pitch/${t}`,
  'pitch-confirm': (t) => `/pitch/${t}`,
  rsvp: (t) => `/rsvp/${t}`,
  'feed-contact': (t) => `/feeds/${t}.ics`,
  'feed-holder': (t) => `/feeds/${t}.ics`,
  'facilitator-reset': (t) => `/login/reset/${t}`,
  'facilitator-invitation': (t) => `/invitation/${t}`,
  referral: (t) => `/referrals/${t}`,
}

const REF = /\[\[fabrik:([a-z-]{1,30}):(\d{1,15}):(\d{1,9}):([A-Za-z0-9_-]{22})\]\]/g
const ONE_REF = new RegExp(`^${REF.source}$`)

function isPurpose(value: string): value is TokenPurpose {
  return Object.hasOwn(PATHS, value)
}

function mac(secret: string, target: LinkTarget, recipient: string): string {
  // Never the input of a personal token (`purpose:id:version`): the newlines keep the two apart.
  return createHmac('sha256', secret)
    .update(`outbox-link\n${target.purpose}\n${target.id}\n${target.version}\n${recipient}`)
    .digest('base64url').slice(0, 22)
}

/** The working URL of a personal link (pages that show one; expandLinks for mail). */
export function linkUrl(secret: string, publicUrl: string, target: LinkTarget): string {
  return `${publicUrl}${PATHS[target.purpose](personalToken(secret, target.purpose, target.id, target.version))}`
}

/** What a mail body stores in place of the link: the reference, for this recipient's address only. */
export function linkRef(secret: string, target: LinkTarget, recipient: string): string {
  return `[[fabrik:${target.purpose}:${target.id}:${target.version}:${mac(secret, target, recipient)}]]`
}

/** Is this exactly one reference (its shape; the MAC is checked when it is expanded)? */
export function isLinkRef(value: string): boolean {
  return ONE_REF.test(value)
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export interface LinkContext {
  secret: string
  publicUrl: string
  /** The address the message goes to (the outbox row's `to_email`). */
  recipient: string
}

/**
 * The body with every valid reference replaced by its working URL: as is in text, escaped in HTML (the
 * same escaping `<%= %>` would have given the URL had it been rendered into the template).
 */
export function expandLinks(body: string, ctx: LinkContext, format: 'text' | 'html'): string {
  return body.replace(REF, (whole, purpose: string, id: string, version: string, given: string) => {
    if (!isPurpose(purpose)) return whole
    const target: LinkTarget = { purpose, id: Number(id), version: Number(version) }
    const expected = Buffer.from(mac(ctx.secret, target, ctx.recipient))
    if (!timingSafeEqual(expected, Buffer.from(given))) return whole
    const url = linkUrl(ctx.secret, ctx.publicUrl, target)
    return format === 'html' ? url.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!) : url
  })
}

/** The row as it leaves: its text and HTML with working links (the calendar part carries none). */
export function withLinks<T extends Pick<OutboxRow, 'to_email' | 'text_body' | 'html_body'>>(row: T, config: { sessionSecret: string; publicUrl: string }): T {
  const ctx = { secret: config.sessionSecret, publicUrl: config.publicUrl, recipient: row.to_email }
  return { ...row, text_body: expandLinks(row.text_body, ctx, 'text'), html_body: expandLinks(row.html_body, ctx, 'html') }
}
