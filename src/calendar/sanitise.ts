import { stripInvisibleAndSeparators } from '../text-safety.js'
// Text hygiene for iCalendar output. ical-generator 10.2.0 escapes event TEXT
// but passes control characters through and does not escape the calendar
// NAME/X-WR-CALDESC (research/ical-email.md §1.4, reliability-security.md §2.10).

// Dropped (text-safety.ts): C0 except TAB/LF/CR, DEL, C1 (incl. NEL U+0085), LS/PS, bidi
// embeddings, overrides and isolates (Trojan-Source style reordering in client UIs).

// Lone UTF-16 surrogates cannot be encoded as UTF-8 (TextEncoder turns them into U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Removes control, bidi-override and line/paragraph-separator characters.
 * TAB becomes a space; CRLF and lone CR are normalised to LF, and LF is kept
 * (multi-line DESCRIPTION needs it; use singleLine() for one-line values).
 */
export function stripControl(s: string): string {
  return stripInvisibleAndSeparators(s.replace(/\r\n?/g, '\n').replace(/\t/g, ' '))
    .replace(LONE_SURROGATE, '')
}

/** stripControl, then newlines → space, runs of spaces collapsed, trimmed. */
export function singleLine(s: string): string {
  return stripControl(s).replace(/\n/g, ' ').replace(/ {2,}/g, ' ').trim()
}

/**
 * For CN="..." parameters and e-mail display names: singleLine() without `"`,
 * `<`, `>` and `\`. RFC 5545 quoted parameter
 * values cannot contain DQUOTE, and ical-generator's `\"` is mis-parsed by ical.js.
 */
export function displayName(s: string): string {
  return singleLine(s.replace(/["<>\\]/g, ''))
}

/** RFC 5545 §3.3.11 TEXT value escaping (a colon is not escaped). */
export function escapeText(s: string): string {
  return stripControl(s)
    .replace(/[\\;,]/g, (c) => '\\' + c)
    .replace(/\n/g, '\\n')
}

const MAX_URL_LENGTH = 2000

/**
 * Accepts absolute https URLs without credentials, whitespace or controls.
 * `;` and `,` are refused: ical-generator runs URL values through TEXT escaping
 * (`\;`, `\,`), which corrupts the URI, and percent-encoding them would change
 * the meaning of some query strings. Common videoconference links never use them.
 */
export function isSafeHttpsUrl(s: string): boolean {
  return isSafeWebUrl(s, false)
}

/** The same rules; plain http allowed too (the app's own pages when PUBLIC_URL is http, e.g. on a laptop). */
export function isSafeWebUrl(s: string, allowHttp = true): boolean {
  if (s.length === 0 || s.length > MAX_URL_LENGTH) return false
  if (/\s/.test(s) || stripControl(s) !== s || /[;,]/.test(s)) return false
  let url: URL
  try {
    url = new URL(s)
  } catch {
    return false
  }
  const schemeOk = url.protocol === 'https:' || (allowHttp && url.protocol === 'http:')
  if (!schemeOk || url.username !== '' || url.password !== '' || url.hostname === '') return false
  return !/[;,]/.test(url.href)
}

// Conservative addr-spec: no characters that mean something in a mailto: URI
// (`?`, `%`, `&`, `#`) or in iCalendar syntax (`;`, `,`, `:`, `"`). ASCII only.
const EMAIL = /^[A-Za-z0-9._+'=-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/

/** True when the address can be written as a mailto: CAL-ADDRESS without escaping. */
export function isSafeEmail(s: string): boolean {
  return s.length <= 254 && EMAIL.test(s)
}
