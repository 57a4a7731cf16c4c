import { z } from 'zod'
import { type FieldErrors, parseForm, text } from '../web/forms.js'

// The minutes' forms: the draft (the introduction and one text per pitch, named text_{pitchId}) and the send
// button (the version it sends).

const MAX = 8000

export interface DraftForm { intro: string | null; texts: Map<number, string | null> }

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors }

/** The draft as sent; a pitch's text equal to the record's summary is stored as none (the record's stays in force). */
export function parseDraft(body: unknown, summaries: Map<number, string | null>): Parsed<DraftForm> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  // The form always sends its introduction field: a POST without it is not this form (nothing is saved).
  if (!('intro' in b)) return { ok: false, errors: { _form: 'Formulaire invalide : rechargez la page.' } }
  const errors: FieldErrors = {}
  const intro = parseForm(z.object({ intro: text(MAX, false) }), b)
  if (!intro.ok) errors.intro = intro.errors.intro ?? 'Valeur invalide.'
  const texts = new Map<number, string | null>()
  for (const [pitchId, summary] of summaries) {
    const field = `text_${pitchId}`
    if (!(field in b)) continue
    const parsed = text(MAX, false).safeParse(b[field])
    if (!parsed.success) { errors[field] = parsed.error.issues[0]?.message ?? 'Valeur invalide.'; continue }
    texts.set(pitchId, parsed.data === (summary?.trim() || null) ? null : parsed.data)
  }
  if (Object.keys(errors).length || !intro.ok) return { ok: false, errors }
  return { ok: true, data: { intro: intro.data.intro, texts } }
}

/** The version the send form sends (the latest sent + 1 when the page was drawn). */
export function parseSend(body: unknown): number | null {
  const v = Number((body as Record<string, unknown> | null)?.version)
  return Number.isInteger(v) && v >= 1 && v <= 1000 ? v : null
}
