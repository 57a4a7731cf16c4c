import type { Indicators } from './compute.js'
import { type Cell, neutralise } from './csv.js'
import { CSV_TABLES, type CsvTable, TABLE_TITLES } from './report.js'

// The whole Bilan as one .xlsx workbook (Excel, LibreOffice): one sheet per table of the page, the same rows
// as its CSV, numbers as numbers. Text that a spreadsheet would run as a formula is neutralised as in the CSV
// (a leading apostrophe), so that editing the cell never turns it into one.

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface WorkbookInfo { platform: string; period: string; produced: Date }

const cellValue = (v: Cell) => (typeof v === 'string' ? neutralise(v) : v)

export async function reportWorkbook(ind: Indicators, info: WorkbookInfo): Promise<Buffer> {
  // Loaded on the first download, not at start-up: exceljs is large and most processes never write a workbook.
  const { default: ExcelJS } = await import('exceljs')
  const book = new ExcelJS.Workbook()
  book.creator = 'Fabrik'
  book.title = `Bilan ${info.period} — ${info.platform}`
  book.created = info.produced
  book.modified = info.produced
  for (const table of Object.keys(TABLE_TITLES) as CsvTable[]) {
    const rows = CSV_TABLES[table](ind)
    const sheet = book.addWorksheet(TABLE_TITLES[table], { views: [{ state: 'frozen', ySplit: 1 }] })
    for (const row of rows) sheet.addRow(row.map(cellValue))
    sheet.getRow(1).font = { bold: true }
    sheet.columns.forEach((column, i) => {
      const longest = Math.max(...rows.map((r) => String(r[i] ?? '').length))
      column.width = Math.min(60, Math.max(10, longest + 2))
    })
  }
  return Buffer.from(await book.xlsx.writeBuffer())
}
