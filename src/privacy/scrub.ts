import { escapeHtml } from '../web/views.js'
import { ERASED_NAME } from './tables.js'

// The words that name a person in free text, and the text without them (pure). A name shorter than three
// letters would eat ordinary words, so it is left (names are stored whole: "Nadia Benali").

export const ERASED_EMAIL = 'adresse effacée'
export const ERASED_PHONE = 'téléphone effacé'

export interface Terms { names: string[]; emails: string[]; phones: string[] }

export interface Replacement { find: string; by: string }

/**
 * Each term in its plain and HTML forms (and a phone without its spaces), longest first. The HTML form is what
 * `<%= %>` wrote into a stored message's HTML part (web/views.ts escapeHtml), so that part is scrubbed too.
 */
export function replacements(terms: Terms): Replacement[] {
  const out = new Map<string, Replacement>()
  const add = (find: string, by: string) => {
    const key = find.trim()
    if (key.length >= 3 && key !== by) out.set(key.toLowerCase(), { find: key, by })
  }
  for (const name of terms.names) if (name !== ERASED_NAME) { add(name, ERASED_NAME); add(escapeHtml(name), ERASED_NAME) }
  for (const email of terms.emails) { add(email, ERASED_EMAIL); add(escapeHtml(email), ERASED_EMAIL) }
  for (const phone of terms.phones) {
    add(phone, ERASED_PHONE)
    const compact = phone.replace(/[\s.-]/g, '')
    if (compact.length >= 6) add(compact, ERASED_PHONE)
  }
  return [...out.values()].sort((a, b) => b.find.length - a.find.length)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The text with every term replaced, case-insensitively; null stays null. */
export function scrub<T extends string | null>(text: T, list: Replacement[]): T {
  if (text === null || list.length === 0) return text
  let out: string = text
  // Whole words only: "Léa" goes, "Léandre" stays.
  for (const { find, by } of list) out = out.replace(new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(find)}(?![\\p{L}\\p{N}])`, 'giu'), by)
  return out as T
}

/** The LIKE pattern that finds `term` anywhere (with `\` as the escape character). */
export function likeAnywhere(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
