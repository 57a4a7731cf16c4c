import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'

// A static scan of src/**/*.ts for what each file writes and reads of the database: Kysely's
// insertInto/updateTable/deleteFrom/replaceInto/mergeInto, selectFrom and the joins, each with its table
// name as written ('pitch', 'contact as delegate'), and raw sql`…` text that inserts, updates or deletes.
// A write whose table is computed (insertInto(table)) is reported with table '*'.

export interface Use { file: string; line: number; table: string; how: string }

const SRC = join(import.meta.dirname, '../../src')

export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return e.name.endsWith('.ts') ? [relative(SRC, path)] : []
  }).sort()
}

export const folderOf = (file: string): string => (file.includes('/') ? file.split('/')[0]! : '')

const lineAt = (text: string, index: number) => text.slice(0, index).split('\n').length

const WRITE_CALL = /\.(insertInto|updateTable|deleteFrom|replaceInto|mergeInto)\(\s*(?:(['"`])([a-z_]+)(?:\s+as\s+\w+)?\2|([^'"`\s)]))/g
const READ_CALL = /\.(selectFrom)\(\s*(['"`])([a-z_]+)(?:\s+as\s+\w+)?\2/g
const JOIN_CALL = /\.(innerJoin|leftJoin|rightJoin|fullJoin)\(\s*(['"`])([a-z_]+)(?:\s+as\s+\w+)?\2/g
const SQL_TEXT = /\bsql(?:\.raw)?(?:<[^>]*>)?\s*(?:`([^`]*)`|\(\s*(['"])(.*?)\2)/gs
const RAW_WRITE = /\b(insert\s+into|replace\s+into|delete\s+from|update)\s+"?([a-z_]+)"?/gi

function calls(file: string, text: string, pattern: RegExp): Use[] {
  return [...text.matchAll(pattern)].map((m) => ({ file, line: lineAt(text, m.index), table: m[3] ?? '*', how: m[1]! }))
}

/** Every write of the file. Raw SQL counts only when it names a table of `tables` ("for update" is no write). */
export function writesOf(file: string, text: string, tables: Set<string>): Use[] {
  const raw = [...text.matchAll(SQL_TEXT)].flatMap((m) => {
    const body = m[1] ?? m[3] ?? ''
    return [...body.matchAll(RAW_WRITE)]
      .filter((w) => tables.has(w[2]!.toLowerCase()))
      .map((w) => ({ file, line: lineAt(text, m.index), table: w[2]!.toLowerCase(), how: `sql ${w[1]!.toLowerCase()}` }))
  })
  return [...calls(file, text, WRITE_CALL), ...raw]
}

export const readsOf = (file: string, text: string): Use[] => calls(file, text, READ_CALL)
export const joinsOf = (file: string, text: string): Use[] => calls(file, text, JOIN_CALL)

export function readSource(file: string): string {
  return readFileSync(join(SRC, file), 'utf8')
}

/** The table names of src/db/schema.ts's `interface Database { … }`, the schema's single source. */
export function schemaTables(): string[] {
  const schema = readSource('db/schema.ts')
  const body = /export interface Database \{([^}]*)\}/.exec(schema)?.[1]
  if (!body) throw new Error('src/db/schema.ts: no `export interface Database { … }` found')
  return [...body.matchAll(/^\s*([a-z_]+)\s*:/gm)].map((m) => m[1]!)
}
