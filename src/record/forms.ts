import { z } from 'zod'
import { STAGES } from '../pitches/forms.js'
import { checkbox, choice, type FieldErrors, optionalEmail, optionalLine, parseForm, text } from '../web/forms.js'
import { PRESENCES, type Submitted } from './attendance.js'

// The record pages' forms. The attendance form names its fields after the persons it shows (attendance.ts
// keys), so it is read key by key; the pitch form has a fixed number of empty advice and referral rows.

export const ADVICE_ROWS = 3
export const REFERRAL_ROWS = 2

const KEY = /^[chw][1-9]\d{0,8}$/
const presence = z.union([z.literal(''), choice(PRESENCES, 'Choisissez sur place, à distance ou absent·e.')]).optional().transform((v) => v || null)
const stamp = z.string().max(40).optional().transform((v) => v || null)
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

const walkinForm = z.object({
  walkin_name: optionalLine(120),
  walkin_organisation: optionalLine(160),
  walkin_email: optionalEmail(),
  walkin_presence: z.union([z.literal(''), choice(['on_site', 'remote'] as const)]).optional().transform((v) => v || 'on_site' as const),
})

export interface AttendanceInput {
  marks: Submitted[]
  walkin: { name: string; organisation: string | null; email: string | null; presence: 'on_site' | 'remote' } | null
}

export type Parsed<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors }

export function parseAttendance(body: unknown): Parsed<AttendanceInput> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const errors: FieldErrors = {}
  const keys = [...new Set(list(b.people).map(String))]
  if (keys.length > 2000 || keys.some((k) => !KEY.test(k))) return { ok: false, errors: { _form: 'Formulaire invalide : rechargez la page.' } }
  const marks: Submitted[] = []
  for (const key of keys) {
    const p = presence.safeParse(b[`presence_${key}`])
    const shown = presence.safeParse(b[`shown_${key}`])
    const seen = stamp.safeParse(b[`seen_${key}`])
    if (!p.success) { errors[`presence_${key}`] = 'Choisissez sur place, à distance ou absent·e.'; continue }
    marks.push({ key, presence: p.data, shown: shown.success ? shown.data : null, seen: seen.success ? seen.data : null })
  }
  const w = parseForm(walkinForm, b)
  if (!w.ok) Object.assign(errors, w.errors)
  else if (!w.data.walkin_name && (w.data.walkin_organisation || w.data.walkin_email)) errors.walkin_name = 'Indiquez le nom de la personne.'
  if (Object.keys(errors).length) return { ok: false, errors }
  const d = w.ok ? w.data : null
  return { ok: true, data: { marks, walkin: d?.walkin_name ? { name: d.walkin_name, organisation: d.walkin_organisation, email: d.walkin_email, presence: d.walkin_presence } : null } }
}

const stageKeys = Object.keys(STAGES) as [keyof typeof STAGES & string, ...(keyof typeof STAGES & string)[]]
const id = z.string().regex(/^[1-9]\d{0,8}$/, 'Choisissez dans la liste.').transform(Number)
const optionalId = z.union([z.literal(''), id]).optional().transform((v) => (v === '' || v === undefined ? null : v))
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Date invalide (jj/mm/aaaa).')
const optionalDate = z.union([z.literal(''), date]).optional().transform((v) => v || null)

const recordForm = z.object({
  pitch_id: id,
  version: z.string().regex(/^\d{1,9}$/, 'Formulaire invalide : rechargez la page.').transform(Number),
  summary: text(2000, false),
  next_steps: text(2000, false),
  stage_after: z.union([z.literal(''), choice(stageKeys, "Choisissez où en est l'initiative dans la liste.")]).optional().transform((v) => v || null),
  revisit: checkbox(),
  revisit_session: optionalDate,
})

/** An advice row's "who": a present contact, a walk-in, an organisation, or a name typed in. */
export type AdviceWho = { kind: 'contact' | 'walkin' | 'partner'; id: number } | { kind: 'name'; name: string }

export interface RecordInput extends z.output<typeof recordForm> {
  advice: Array<{ who: AdviceWho; body: string }>
  referrals: Array<{ partnerId: number; contactId: number | null; subject: string; followUpOn: string | null }>
}

export function parseRecord(body: unknown): Parsed<RecordInput> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const errors: FieldErrors = {}
  const base = parseForm(recordForm, b)
  if (!base.ok) Object.assign(errors, base.errors)
  if (base.ok && base.data.revisit && !base.data.revisit_session) errors.revisit_session = 'Choisissez la séance proposée au porteur.'
  const advice: RecordInput['advice'] = []
  for (let n = 0; n < ADVICE_ROWS; n++) {
    const bodyText = text(2000, false).safeParse(b[`advice_body_${n}`])
    const who = String(b[`advice_who_${n}`] ?? '')
    const name = optionalLine(120).safeParse(b[`advice_name_${n}`])
    if (!bodyText.success) { errors[`advice_body_${n}`] = bodyText.error.issues[0]!.message; continue }
    if (!name.success) { errors[`advice_name_${n}`] = name.error.issues[0]!.message; continue }
    if (!bodyText.data) {
      if (who || name.data) errors[`advice_body_${n}`] = "Écrivez le conseil donné (ou videz la ligne)."
      continue
    }
    const m = /^(contact|walkin|partner):([1-9]\d{0,8})$/.exec(who)
    if (m) advice.push({ who: { kind: m[1] as 'contact' | 'walkin' | 'partner', id: Number(m[2]) }, body: bodyText.data })
    else if (who === 'name' && name.data) advice.push({ who: { kind: 'name', name: name.data }, body: bodyText.data })
    else if (who === 'name') errors[`advice_name_${n}`] = 'Indiquez qui a donné ce conseil.'
    else errors[`advice_who_${n}`] = 'Choisissez qui a donné ce conseil.'
  }
  const referrals: RecordInput['referrals'] = []
  for (let n = 0; n < REFERRAL_ROWS; n++) {
    const partner = optionalId.safeParse(b[`ref_partner_${n}`])
    const contact = optionalId.safeParse(b[`ref_contact_${n}`])
    const subject = optionalLine(300).safeParse(b[`ref_subject_${n}`])
    const follow = optionalDate.safeParse(b[`ref_follow_${n}`])
    if (!partner.success) { errors[`ref_partner_${n}`] = 'Choisissez une organisation dans la liste.'; continue }
    if (!contact.success) { errors[`ref_contact_${n}`] = 'Choisissez un contact dans la liste.'; continue }
    if (!subject.success) { errors[`ref_subject_${n}`] = subject.error.issues[0]!.message; continue }
    if (!follow.success) { errors[`ref_follow_${n}`] = 'Date invalide.'; continue }
    if (partner.data === null && !subject.data) {
      if (contact.data !== null || follow.data) errors[`ref_partner_${n}`] = "Choisissez l'organisation vers laquelle orienter."
      continue
    }
    if (partner.data === null) { errors[`ref_partner_${n}`] = "Choisissez l'organisation vers laquelle orienter."; continue }
    if (!subject.data) { errors[`ref_subject_${n}`] = "Dites à quel sujet le porteur est orienté."; continue }
    referrals.push({ partnerId: partner.data, contactId: contact.data, subject: subject.data, followUpOn: follow.data })
  }
  if (!base.ok || Object.keys(errors).length) return { ok: false, errors }
  return { ok: true, data: { ...base.data, advice, referrals } }
}

const adviceEditForm = z.object({ action: choice(['edit', 'delete'] as const, 'Formulaire invalide : rechargez la page.'), body: z.string().max(4000).optional() })

/** The correction of one piece of advice: 'edit' with its new text (required), or 'delete'. */
export function parseAdviceEdit(body: unknown): { ok: true; data: { action: 'delete' } | { action: 'edit'; body: string } } | { ok: false; error: string } {
  const form = parseForm(adviceEditForm, body)
  if (!form.ok) return { ok: false, error: Object.values(form.errors)[0] ?? 'Formulaire invalide : rechargez la page.' }
  if (form.data.action === 'delete') return { ok: true, data: { action: 'delete' } }
  const text2000 = text(2000, true).safeParse(form.data.body)
  if (!text2000.success) return { ok: false, error: text2000.error.issues[0]?.message === 'Ce champ est obligatoire.' ? 'Écrivez le conseil (ou supprimez-le).' : text2000.error.issues[0]!.message }
  return { ok: true, data: { action: 'edit', body: text2000.data ?? '' } }
}
