import { parse } from 'csv-parse/sync'
import { nameKey } from './names.js'
import { CONTROL_IN_LINE } from '../text-safety.js'

// A platform's communes as people have them: a CSV file (name, postcode, official code — INSEE or NIS, as
// in ../shared/data/), a copy from a spreadsheet, or a plain list of names, one per line. Pure: text in, rows
// and French messages by line out. A list with any error imports nothing (the caller's rule): the report
// names every wrong line so it can be fixed in one go.

export interface CommuneRow {
  /** The line of the text where the record starts. */
  line: number
  name: string
  postcode: string | null
  code: string | null
}

export interface CommuneError { line: number; message: string }

export interface ParsedCommunes { rows: CommuneRow[]; errors: CommuneError[] }

export const MAX_COMMUNES = 2000

type Column = 'name' | 'postcode' | 'code'

// Header titles after nameKey(): case, accents and punctuation do not matter.
const HEADERS: Record<string, Column> = {
  'name': 'name', 'nom': 'name', 'commune': 'name', 'nom de la commune': 'name', 'libelle': 'name', 'localite': 'name',
  'postcode': 'postcode', 'code postal': 'postcode', 'cp': 'postcode', 'zip': 'postcode', 'postal code': 'postcode', 'npa': 'postcode',
  'code': 'code', 'insee': 'code', 'code insee': 'code', 'nis': 'code', 'code nis': 'code', 'ins': 'code', 'code ins': 'code',
  'code officiel': 'code', 'code commune': 'code', 'cog': 'code', 'official code': 'code',
}

interface CountryRules { postcode: RegExp; postcodeHint: string; code: RegExp; codeHint: string }

const RULES: Record<string, CountryRules> = {
  FR: { postcode: /^\d{5}$/, postcodeHint: '5 chiffres en France', code: /^(\d{5}|2[AB]\d{3})$/, codeHint: 'code INSEE : 5 caractères, par exemple 62498 ou 2A004' },
  BE: { postcode: /^\d{4}$/, postcodeHint: '4 chiffres en Belgique', code: /^\d{5}$/, codeHint: 'code INS (NIS) : 5 chiffres, par exemple 81001' },
}
const OTHER: CountryRules = { postcode: /^[0-9A-Za-z][0-9A-Za-z -]{1,9}$/, postcodeHint: 'lettres et chiffres, 10 au plus', code: /^[0-9A-Za-z.-]{1,20}$/, codeHint: 'lettres et chiffres, 20 au plus' }

// Same rules as the web forms (web/forms.ts): no C0/C1 controls, no bidi overrides, no line breaks in a cell.
const CONTROL = CONTROL_IN_LINE

const clean = (v: string | undefined) => (v ?? '').replace(/\u00A0/g, ' ').trim()

/** The separator of the first line: the most frequent of `;`, tab and `,` outside quotes; none for a plain list. */
function delimiterOf(text: string): ';' | ',' | '\t' | null {
  const counts = { ';': 0, ',': 0, '\t': 0 }
  let quoted = false
  for (const ch of text) {
    if (ch === '"') quoted = !quoted
    else if (!quoted && ch === '\n') break
    else if (!quoted && (ch === ';' || ch === ',' || ch === '\t')) counts[ch]++
  }
  const best = (Object.entries(counts) as Array<[';' | ',' | '\t', number]>).sort((a, b) => b[1] - a[1])[0]!
  return best[1] > 0 ? best[0] : null
}

/** UTF-8 with or without BOM; Windows-1252 (what Excel saves as "CSV" on a French Windows) otherwise. */
export function decodeCommunes(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '')
  } catch {
    return new TextDecoder('windows-1252').decode(bytes)
  }
}

export function parseCommunes(input: string | Buffer, country: string): ParsedCommunes {
  const text = (typeof input === 'string' ? input.replace(/^\uFEFF/, '') : decodeCommunes(input)).replace(/\r\n?/g, '\n')
  const rules = RULES[country] ?? OTHER
  const errors: CommuneError[] = []
  const rows: CommuneRow[] = []
  if (text.trim() === '') return { rows, errors }

  let records: Array<{ record: string[]; raw: string; info: { lines: number } }>
  try {
    const delimiter = delimiterOf(text)
    records = parse(text, {
      // A plain list of names: one column, whatever the line holds.
      delimiter: delimiter ?? '\u0000', info: true, raw: true, relax_column_count: true, skip_empty_lines: true, relax_quotes: delimiter === null,
    }) as unknown as typeof records
  } catch (error) {
    const e = error as { code?: string; lines?: number }
    const message = e.code === 'CSV_QUOTE_NOT_CLOSED'
      ? "Un guillemet ouvert n'est jamais refermé : vérifiez les cellules qui contiennent des guillemets."
      : 'La liste ne se lit pas comme un tableau CSV.'
    return { rows, errors: [{ line: e.lines ?? 1, message }] }
  }
  // A record spanning several lines (a quoted cell with a line break) is reported at its first line.
  const startLine = (r: (typeof records)[number]) => r.info.lines - (r.raw.replace(/^\n+/, '').replace(/\n$/, '').match(/\n/g)?.length ?? 0)
  const nonBlank = records.filter((r) => r.record.some((c) => clean(c) !== ''))

  // A first line of titles says which column is which; without one, the columns are name, postcode, code.
  const titles = nonBlank[0]?.record.map((c) => HEADERS[nameKey(c)])
  const hasHeader = titles !== undefined && titles.includes('name')
  const columns = new Map<Column, number>()
  if (hasHeader) titles.forEach((column, i) => { if (column && !columns.has(column)) columns.set(column, i) })
  else (['name', 'postcode', 'code'] as const).forEach((c, i) => columns.set(c, i))

  const seenNames = new Map<string, number>()
  const seenCodes = new Map<string, number>()
  for (const [index, r] of nonBlank.slice(hasHeader ? 1 : 0).entries()) {
    const line = startLine(r)
    if (index >= MAX_COMMUNES) {
      errors.push({ line, message: `La liste compte plus de ${MAX_COMMUNES} communes : découpez-la.` })
      break
    }
    const get = (c: Column) => {
      const i = columns.get(c)
      return i === undefined ? '' : clean(r.record[i])
    }
    const name = get('name')
    const postcode = get('postcode')
    const code = get('code')
    const problems: string[] = []
    if (name === '') problems.push('Nom de commune manquant.')
    else if (CONTROL.test(name)) problems.push('Nom : caractères non autorisés (retour à la ligne, caractère de contrôle…).')
    else if (name.length > 100) problems.push('Nom : 100 caractères au plus.')
    if (postcode && !rules.postcode.test(postcode)) {
      const lostZero = country === 'FR' && /^\d{4}$/.test(postcode) ? ' — un zéro initial perdu par le tableur ?' : ''
      problems.push(`Code postal invalide : « ${postcode} » (${rules.postcodeHint}${lostZero}).`)
    }
    if (code && !rules.code.test(code)) problems.push(`Code officiel invalide : « ${code} » (${rules.codeHint}).`)
    if (problems.length === 0) {
      const key = nameKey(name)
      const earlier = seenNames.get(key)
      if (earlier !== undefined) problems.push(`« ${name} » figure déjà ligne ${earlier}.`)
      else seenNames.set(key, line)
      const earlierCode = code ? seenCodes.get(code.toUpperCase()) : undefined
      if (earlierCode !== undefined) problems.push(`Le code ${code} figure déjà ligne ${earlierCode}.`)
      else if (code) seenCodes.set(code.toUpperCase(), line)
    }
    if (problems.length > 0) {
      for (const message of problems) errors.push({ line, message })
      continue
    }
    rows.push({ line, name, postcode: postcode || null, code: code ? code.toUpperCase() : null })
  }
  return { rows, errors }
}

/** Every error of a list on one line each: "ligne 3 : Code postal invalide…". */
export function communeErrorLines(errors: CommuneError[]): string[] {
  return errors.map((e) => `ligne ${e.line} : ${e.message}`)
}
