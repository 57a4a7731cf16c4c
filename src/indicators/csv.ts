// CSV for Excel in France: UTF-8 with a BOM (or Excel reads the accents as Latin-1), ';' between cells
// (',' is the decimal separator there), CRLF line ends, and no cell that a spreadsheet would run as a formula.

export type Cell = string | number | null

/**
 * A cell's text. Numbers are written with a decimal comma and stay numbers. Text that a spreadsheet would
 * take for a formula — it begins with = + - @ (or a tab or carriage return, which some strip first) — gets a
 * leading apostrophe (OWASP "CSV injection"); a plain number such as -3 is left as it is, so it stays a
 * number in Excel. A cell holding ; " or a line break is quoted.
 */
export function csvCell(value: Cell): string {
  if (value === null) return ''
  const text = typeof value === 'number' ? String(value).replace('.', ',') : neutralise(value)
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Text a spreadsheet would run as a formula gets a leading apostrophe (the CSV and the workbook alike). */
export function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) && !/^-\d+([,.]\d+)?$/.test(text) ? `'${text}` : text
}

export function toCsv(rows: Cell[][]): Buffer {
  const body = rows.map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n'
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body, 'utf8')])
}
