/** Accent- and case-insensitive key: "Éleu-dit-Leauwette" and "eleu dit leauwette" are one commune. */
export function nameKey(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
}

export function slugify(name: string): string {
  return nameKey(name).replace(/ /g, '-') || 'x'
}

/**
 * First segments the application uses itself: a platform cannot take them as its slug. 'new' also names the
 * creation form beside /admin/platforms/{slug}.
 */
export const RESERVED_SLUGS = new Set(['admin', 'login', 'logout', 'healthz', 'assets', 'pitch', 'rsvp', 'feeds', 'api', 'new'])

/** French collation for lists people read (accents ignored, as in the reference data). */
export const frCollator = new Intl.Collator('fr', { sensitivity: 'base', ignorePunctuation: false })
