import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemClock } from '../../src/context.js'
import { COPY_ORDER, copyDatabase, NOT_COPIED } from '../../src/db/copy.js'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { seedDemo, seedDemoPitches } from '../../src/demo/seed.js'
import { createViews } from '../../src/web/views.js'
import { testConfig } from '../helpers/app.js'
import { tempDatabase } from '../helpers/db.js'

// `npm run db:copy` moves SQLite to PostgreSQL: it needs both, so it runs in the PostgreSQL job.
const pg = process.env.FABRIK_TEST_PG_URL
if (!pg) console.warn('⚠ test/db/copy.test.ts skipped: set FABRIK_TEST_PG_URL (npm run test:pg) to copy SQLite → PostgreSQL')

describe('the copy order', () => {
  it('names every table of the schema (a new table must say whether db:copy moves it)', async () => {
    const t = await tempDatabase()
    try {
      const tables = (await t.db.introspection.getTables()).map((table) => table.name).filter((n) => !n.startsWith('kysely_'))
      expect([...COPY_ORDER, ...NOT_COPIED].sort()).toEqual(tables.sort())
    } finally {
      await t.close()
    }
  })
})

describe.skipIf(!pg)('copying a whole history from SQLite to PostgreSQL', () => {
  let dataDir = ''
  beforeAll(() => { dataDir = mkdtempSync(join(tmpdir(), 'fabrik-copy-')) })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('copies every row with its id, checks the counts, and the copy keeps working', async () => {
    const source = createDatabase({ dataDir, databaseUrl: null })
    await migrateToLatest(source)
    await seedDemo({ db: source, uidHost: 'fabrik.test', now: new Date() })
    await seedDemoPitches({ config: testConfig(dataDir), db: source, clock: systemClock, views: createViews() })
    const target = await tempDatabase()
    try {
      const report = await copyDatabase(source, target.db)
      expect(report.map((r) => r.table)).toEqual(COPY_ORDER)
      expect(report.find((r) => r.table === 'session')!.target).toBeGreaterThan(20)
      expect(report.every((r) => r.source === r.target)).toBe(true)
      const a = await source.selectFrom('pitch').selectAll().orderBy('id').execute()
      const b = await target.db.selectFrom('pitch').selectAll().orderBy('id').execute()
      expect(b).toEqual(a)
      // Identity columns moved past the copied ids: new rows insert fine.
      const now = new Date().toISOString()
      await target.db.insertInto('commune').values({ platform_id: 1, name: 'Nouvelle', name_key: 'nouvelle', slug: 'nouvelle', postcode: null, created_at: now }).execute()
      // A second copy into a non-empty database is refused.
      await expect(copyDatabase(source, target.db)).rejects.toThrow(/not empty/)
    } finally {
      await source.destroy()
      await target.close()
    }
  })
})
