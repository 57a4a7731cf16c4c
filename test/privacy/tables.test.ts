import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/schema.js'
import { SCOPE } from '../../src/privacy/whose.js'
import { PERSONAL, textColumns } from '../../src/privacy/tables.js'
import { tempDatabase } from '../helpers/db.js'

// The guard: every table and every column of the migrated database (read at run time, not from schema.ts) says
// in src/privacy/tables.ts what it holds about a person, so a new one cannot ship unclassified.

describe('the privacy map', () => {
  it('classifies every column of every table of the migrated schema, and names no column that does not exist', async () => {
    const t = await tempDatabase()
    try {
      const tables = (await t.db.introspection.getTables()).filter((table) => !table.name.startsWith('kysely_'))
      const unclassified: string[] = []
      const unknown: string[] = []
      for (const table of tables) {
        const rule = PERSONAL[table.name as keyof Database]
        if (!rule) { unclassified.push(`${table.name} (the whole table)`); continue }
        const columns = rule.columns as Record<string, string>
        for (const column of table.columns) if (!columns[column.name]) unclassified.push(`${table.name}.${column.name}`)
        for (const name of Object.keys(columns)) if (!table.columns.some((c) => c.name === name)) unknown.push(`${table.name}.${name}`)
        for (const key of rule.key) if (!table.columns.some((c) => c.name === key)) unknown.push(`${table.name} key ${key}`)
        // A column erasure empties must be nullable in the database (RGPD rule of the migrations).
        for (const column of table.columns) {
          if (['null', 'note'].includes(columns[column.name]!) && !column.isNullable) unknown.push(`${table.name}.${column.name} is erased to null but NOT NULL`)
        }
      }
      for (const name of Object.keys(PERSONAL)) if (!tables.some((table) => table.name === name)) unknown.push(`${name} (no such table)`)
      expect(unclassified, 'classify these in src/privacy/tables.ts').toEqual([])
      expect(unknown).toEqual([])
    } finally {
      await t.close()
    }
  })

  it('knows how every table with free text belongs to a platform, so a name is looked for in it', () => {
    const missing = (Object.keys(PERSONAL) as Array<keyof Database>).filter((table) => textColumns(table).length > 0 && !SCOPE[table])
    expect(missing).toEqual([])
  })

  it('erases its own rows only in tables whose rows it can find (whose.ts)', () => {
    const own = (Object.keys(PERSONAL) as Array<keyof Database>).filter((table) => PERSONAL[table]!.own !== null).sort()
    expect(own).toEqual(['attendance', 'calendar_reply', 'contact', 'facilitator_token', 'holder', 'invitation', 'outbox', 'pitch', 'venue'])
  })
})
