import { DOMAINS, NEEDS } from '../pitches/forms.js'

// A pitch as partners read it: the holder's choices in the words of the booking form, never the stored keys
// ("economie_solidaire", "local,benevoles"). Pure. A value the form does not know (older free text) stays as typed.

const labelOf = (labels: Record<string, string>, key: string): string => (Object.hasOwn(labels, key) ? labels[key]! : key)

/** "economie_solidaire" → "Économie solidaire". */
export function domainText(domain: string | null): string | null {
  return domain ? labelOf(DOMAINS, domain) : null
}

/** "local,benevoles" → "un local, des bénévoles" (the form's labels, in a sentence). */
export function needsText(needs: string | null): string {
  return (needs ?? '').split(',').map((n) => n.trim()).filter(Boolean)
    .map((n) => (Object.hasOwn(NEEDS, n) ? NEEDS[n as keyof typeof NEEDS].replace(/^./, (c) => c.toLowerCase()) : n))
    .join(', ')
}
