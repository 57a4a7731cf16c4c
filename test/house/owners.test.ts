import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type Exception, OWNERS, READ_EXCEPTIONS, READ_MODULE, WRITE_EXCEPTIONS } from './owners.js'
import { folderOf, joinsOf, readSource, readsOf, schemaTables, sourceFiles, type Use, writesOf } from './scan.js'

// One owner per table (ARCHITECTURE.md, issue #18): only the owner's folder writes a table; another folder
// selects from it only in a read-only query module (READ_MODULE), and joins it only if it is a floor it may
// import (eslint.config.js). The map is test/house/owners.ts; every failure says what to change.

const tables = schemaTables()
const known = new Set(tables)
const files = sourceFiles()
const texts = new Map(files.map((f) => [f, readSource(f)]))
const where = (u: Use) => `src/${u.file}:${u.line}`
const owner = (table: string) => OWNERS[table]
const excused = (list: Exception[], u: Use) =>
  list.some((e) => e.file === u.file && (e.tables === '*' || e.tables.includes(u.table)))

// The floors each feature may import (and so read through a join), from the lint rules themselves.
const { ALLOWED_FEATURES } = await import(new URL('../../eslint.config.js', import.meta.url).href) as { ALLOWED_FEATURES: Record<string, string[]> }

describe('one owner per table', () => {
  it('gives every table of src/db/schema.ts an owner folder that exists, and names no other table', () => {
    const problems = [
      ...tables.filter((t) => !owner(t)).map((t) =>
        `Table "${t}" (src/db/schema.ts) has no owner: add the line  ${t}: '<folder>',  to OWNERS in test/house/owners.ts ` +
        `(the folder of src/ whose store writes it, e.g. '${guessFolder(t)}'), and give it to the coordinator for the README's table of owners.`),
      ...Object.keys(OWNERS).filter((t) => !known.has(t)).map((t) =>
        `OWNERS in test/house/owners.ts names "${t}", which is not in src/db/schema.ts's Database: remove the line (or add the table's types).`),
      ...Object.entries(OWNERS).filter(([, f]) => f && !existsSync(join(import.meta.dirname, '../../src', f))).map(([t, f]) =>
        `OWNERS gives "${t}" to src/${f}/, which does not exist.`),
    ]
    expect(problems).toEqual([])
  })

  it('finds every write of a table in its owner folder (or in a documented exception)', () => {
    const problems: string[] = []
    for (const [file, text] of texts) {
      for (const u of writesOf(file, text, known)) {
        if (excused(WRITE_EXCEPTIONS, u)) continue
        if (u.table === '*') {
          problems.push(`${where(u)} writes a table whose name the code computes (${u.how}(…)): write through the owner's store, or add an exception with its reason to WRITE_EXCEPTIONS in test/house/owners.ts.`)
          continue
        }
        const folder = owner(u.table)
        if (folder === undefined) continue // the first test names the table
        if (folder !== folderOf(file)) {
          problems.push(`${where(u)} writes "${u.table}" (${u.how}), which src/${folder}/ owns: move the write into a function of src/${folder}/ (its store) and call it, ` +
            `or add { file: '${file}', tables: ['${u.table}'], reason: '…' } to WRITE_EXCEPTIONS in test/house/owners.ts.`)
        }
      }
    }
    expect(problems).toEqual([])
  })

  it('sees every owned table written from its owner folder (a scan that missed writes would pass the test above)', () => {
    const written = new Set<string>()
    for (const [file, text] of texts) for (const u of writesOf(file, text, known)) if (owner(u.table) === folderOf(file)) written.add(u.table)
    // content_version is raised by database triggers only (web/page-cache.ts reads it).
    const unseen = tables.filter((t) => owner(t) && t !== 'content_version' && !written.has(t))
    expect(unseen.map((t) => `no write of "${t}" found in src/${owner(t)}/: the scan (test/house/scan.ts) misses how it is written`)).toEqual([])
  })

  it("selects from another folder's table only in read-only query modules, which write nothing", () => {
    const problems: string[] = []
    for (const [file, text] of texts) {
      if (READ_MODULE.test(file)) {
        for (const u of writesOf(file, text, known)) {
          problems.push(`${where(u)} writes "${u.table}" (${u.how}) in a read-only query module (its name says so): move the write to the store.`)
        }
        continue
      }
      for (const u of readsOf(file, text)) {
        const folder = owner(u.table)
        if (folder === undefined || folder === folderOf(file) || excused(READ_EXCEPTIONS, u)) continue
        problems.push(`${where(u)} selects from "${u.table}", which src/${folder}/ owns: call a function of src/${folder}/, or move the query into a read-only ` +
          `module of src/${folderOf(file)}/ named reads.ts, queries.ts, lookups.ts or <what>-query.ts (test/house/owners.ts READ_MODULE).`)
      }
    }
    expect(problems).toEqual([])
  })

  it('joins, outside read-only modules, only tables of the floors its folder may import', () => {
    const problems: string[] = []
    for (const [file, text] of texts) {
      if (READ_MODULE.test(file)) continue
      const mine = folderOf(file)
      const below = new Set([mine, 'web', ...(ALLOWED_FEATURES[mine] ?? [])])
      for (const u of joinsOf(file, text)) {
        const folder = owner(u.table)
        if (folder === undefined || below.has(folder) || excused(READ_EXCEPTIONS, u)) continue
        problems.push(`${where(u)} joins "${u.table}" of src/${folder}/, a floor src/${mine || '.'}/ may not import (eslint.config.js ALLOWED_FEATURES): ` +
          `move the query into a read-only module (READ_MODULE in test/house/owners.ts) or ask the owner for it.`)
      }
    }
    expect(problems).toEqual([])
  })

  it('keeps its exceptions true: each names a file that still does what it excuses', () => {
    const stale = [
      ...WRITE_EXCEPTIONS.filter((e) => !stillDoes(e, (f, t) => writesOf(f, t, known))),
      ...READ_EXCEPTIONS.filter((e) => !stillDoes(e, (f, t) => [...readsOf(f, t), ...joinsOf(f, t)])),
    ].map((e) => `src/${e.file} no longer does what its exception in test/house/owners.ts excuses (${e.tables === '*' ? '*' : e.tables.join(', ')}): remove the exception.`)
    expect(stale).toEqual([])
  })

  it('sees the writes the scan is meant to see (the scanner itself)', () => {
    const sample = "db.insertInto('pitch').values(x)\ntrx.updateTable(\n  'holder as h')\ndb.deleteFrom(table)\nsql`UPDATE contact SET x = 1`\nsql`select 1 for update skip locked`"
    expect(writesOf('x/y.ts', sample, known).map((u) => `${u.line}:${u.table}`)).toEqual(['1:pitch', '2:holder', '4:*', '5:contact'])
    expect(readsOf('x/y.ts', "db.selectFrom('invitation as i')").map((u) => u.table)).toEqual(['invitation'])
    expect(READ_MODULE.test('partners/feed-query.ts') && READ_MODULE.test('record/reads.ts') && !READ_MODULE.test('pitches/store.ts')).toBe(true)
  })
})

function stillDoes(e: Exception, uses: (file: string, text: string) => Use[]): boolean {
  const text = texts.get(e.file)
  if (text === undefined) return false
  const found = uses(e.file, text).filter((u) => owner(u.table) !== folderOf(e.file))
  return e.tables === '*' ? found.length > 0 : e.tables.every((t) => found.some((u) => u.table === t))
}

/** A hint for the message: the folder of a table that shares its first word, if any. */
function guessFolder(table: string): string {
  const word = table.split('_')[0]!
  return Object.entries(OWNERS).find(([t]) => t.split('_')[0] === word)?.[1] ?? 'the owner'
}
