import type * as csvParseModule from 'csv-parse/sync'
import type iconvModule from 'iconv-lite'
import { requireLater } from '../require-later.js'
import { z } from 'zod'
import { nameKey } from '../platforms/names.js'
import { CONTROL_IN_LINE } from '../text-safety.js'

/** Loaded with the first contact list imported. */
const csvParse = requireLater<typeof csvParseModule>('csv-parse/sync')
const iconv = requireLater<typeof iconvModule>('iconv-lite')

// The contact list a facilitator already keeps, as Excel saves it: `;` (French Excel), `,` or a tab (what a
// copy from Excel pastes), UTF-8 with or without BOM ("CSV UTF-8") or Windows-1252 ("CSV" on a French
// Windows). Pure: bytes in, rows and French messages by line out; nothing is written here.

export interface ImportRow {
  /** The line of the file where the record starts (what the facilitator finds in their editor). */
  line: number
  organisation: string
  name: string
  email: string
  phone: string | null
  role: string | null
}

export interface ImportError { line: number; message: string }

export interface ParsedContacts { rows: ImportRow[]; errors: ImportError[] }

export const MAX_IMPORT_ROWS = 1000

type Column = 'organisation' | 'name' | 'firstName' | 'email' | 'phone' | 'role'

// Header names after nameKey(): case, accents and punctuation do not matter ("E-mail", "Téléphone", "RÔLE").
const HEADERS: Record<string, Column> = {
  'organisation': 'organisation', 'organisme': 'organisation', 'structure': 'organisation', 'partenaire': 'organisation',
  'organization': 'organisation', 'etablissement': 'organisation', 'institution': 'organisation',
  'nom': 'name', 'nom complet': 'name', 'nom et prenom': 'name', 'prenom et nom': 'name', 'prenom nom': 'name',
  'representant': 'name', 'representante': 'name', 'contact': 'name', 'name': 'name',
  'prenom': 'firstName',
  'email': 'email', 'e mail': 'email', 'courriel': 'email', 'mail': 'email', 'adresse e mail': 'email',
  'adresse mail': 'email', 'adresse courriel': 'email', 'adresse electronique': 'email',
  'telephone': 'phone', 'tel': 'phone', 'portable': 'phone', 'mobile': 'phone', 'phone': 'phone', 'numero de telephone': 'phone',
  'fonction': 'role', 'role': 'role', 'poste': 'role',
}

const REQUIRED: Array<{ column: Column; label: string }> = [
  { column: 'organisation', label: 'organisation' },
  { column: 'name', label: 'nom' },
  { column: 'email', label: 'courriel' },
]

/** UTF-8 when the bytes are valid UTF-8 (BOM or not), otherwise Windows-1252 as Excel writes it. */
export function decodeCsv(bytes: Buffer): string {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    text = iconv().decode(bytes, 'win1252')
  }
  return text.replace(/^\uFEFF/, '')
}

/** The separator of the header line: the most frequent of `;`, tab and `,` outside quotes. */
export function detectDelimiter(text: string): ';' | ',' | '\t' {
  const counts = { ';': 0, ',': 0, '\t': 0 }
  let quoted = false
  for (const ch of text) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (counts[';'] + counts[','] + counts['\t'] > 0) break
    } else if (!quoted && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++
  }
  if (counts['\t'] > counts[';'] && counts['\t'] > counts[',']) return '\t'
  return counts[','] > counts[';'] ? ',' : ';'
}

// Same rules as the web forms (web/forms.ts): no C0/C1 controls, no bidi overrides, no line breaks in a cell.
 
const CONTROL = CONTROL_IN_LINE
const strictEmail = z.email().max(254)
const PHONE = /^[0-9+().\s/-]{6,30}$/

interface Cell { value: string; label: string; max: number; missing: string | null }

function checkCell(cell: Cell): string | null {
  if (cell.value === '') return cell.missing
  if (CONTROL.test(cell.value)) return `${cell.label} : caractères non autorisés (retour à la ligne, caractère de contrôle…).`
  if (cell.value.length > cell.max) return `${cell.label} : ${cell.max} caractères au plus.`
  return null
}

const clean = (v: string | undefined) => (v ?? '').replace(/\u00A0/g, ' ').trim()

export function parseContactsCsv(bytes: Buffer): ParsedContacts {
  const text = decodeCsv(bytes).replace(/\r\n?/g, '\n')
  const errors: ImportError[] = []
  const rows: ImportRow[] = []
  if (text.trim() === '') return { rows, errors: [{ line: 1, message: 'Le fichier est vide.' }] }

  let records: Array<{ record: string[]; raw: string; info: { lines: number } }>
  try {
    records = csvParse().parse(text, {
      delimiter: detectDelimiter(text), info: true, raw: true, relax_column_count: true, skip_empty_lines: true,
    }) as unknown as typeof records
  } catch (error) {
    const e = error as { code?: string; lines?: number }
    const message = e.code === 'CSV_QUOTE_NOT_CLOSED'
      ? "Un guillemet ouvert n'est jamais refermé : vérifiez les cellules qui contiennent des guillemets."
      : 'Le fichier ne se lit pas comme un tableau CSV.'
    return { rows, errors: [{ line: e.lines ?? 1, message }] }
  }

  // A record that spans several lines (a quoted cell with a line break) is reported at its first line.
  const startLine = (r: (typeof records)[number]) =>
    r.info.lines - (r.raw.replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g)?.length ?? 0)

  const nonBlank = records.filter((r) => r.record.some((c) => clean(c) !== ''))
  const header = nonBlank[0]
  if (!header) return { rows, errors: [{ line: 1, message: 'Le fichier est vide.' }] }
  const columns = new Map<Column, number>()
  header.record.forEach((title, i) => {
    const column = HEADERS[nameKey(title)]
    if (column && !columns.has(column)) columns.set(column, i)
  })
  const missing = REQUIRED.filter((r) => !columns.has(r.column))
  if (missing.length > 0) {
    const names = missing.map((m) => `« ${m.label} »`).join(', ')
    return {
      rows,
      errors: [{
        line: startLine(header),
        message: `Colonne(s) ${names} introuvable(s). La première ligne doit donner le titre de chaque colonne : organisation (ou structure), nom, courriel (ou e-mail), et si vous voulez téléphone et fonction.`,
      }],
    }
  }

  const seen = new Map<string, number>()
  for (const [index, r] of nonBlank.slice(1).entries()) {
    const line = startLine(r)
    if (index >= MAX_IMPORT_ROWS) {
      errors.push({ line, message: `Le fichier compte plus de ${MAX_IMPORT_ROWS} contacts : découpez-le en plusieurs fichiers.` })
      break
    }
    const get = (c: Column) => {
      const i = columns.get(c)
      return i === undefined ? '' : clean(r.record[i])
    }
    const first = get('firstName')
    const last = get('name')
    const name = first && last ? `${first} ${last}` : last || first
    const organisation = get('organisation')
    const email = get('email')
    const phone = get('phone')
    const role = get('role')
    const problems = [
      checkCell({ value: organisation, label: 'Organisation', max: 150, missing: 'Organisation manquante.' }),
      checkCell({ value: name, label: 'Nom', max: 150, missing: 'Nom manquant.' }),
      checkCell({ value: email, label: 'Adresse e-mail', max: 254, missing: 'Adresse e-mail manquante.' }),
      checkCell({ value: phone, label: 'Téléphone', max: 30, missing: null }),
      checkCell({ value: role, label: 'Fonction', max: 100, missing: null }),
    ].filter((p): p is string => p !== null)
    if (email && !problems.some((p) => p.startsWith('Adresse e-mail')) && !strictEmail.safeParse(email).success) {
      problems.push(`Adresse e-mail invalide : « ${email} ».`)
    }
    if (phone && !problems.some((p) => p.startsWith('Téléphone')) && !PHONE.test(phone)) {
      problems.push(`Numéro de téléphone invalide : « ${phone} ».`)
    }
    if (problems.length === 0) {
      const key = `${nameKey(organisation)}\n${email.toLowerCase()}`
      const earlier = seen.get(key)
      if (earlier !== undefined) problems.push(`Ce contact figure déjà ligne ${earlier} pour la même organisation.`)
      else seen.set(key, line)
    }
    if (problems.length > 0) {
      for (const message of problems) errors.push({ line, message })
      continue
    }
    rows.push({ line, organisation, name, email, phone: phone || null, role: role || null })
  }
  return { rows, errors }
}
