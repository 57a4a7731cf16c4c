import { existsSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { copyDatabase } from '../src/db/copy.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'

// `npm run db:copy -- --from <sqlite file> --to <postgres url>`: moves the whole history to PostgreSQL,
// checked by row counts. Stop the app first, so nothing is written to the SQLite file during the copy.

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } })
if (!values.from || !values.to || !/^postgres(ql)?:\/\//.test(values.to) || !existsSync(values.from)) {
  console.error('Usage: npm run db:copy -- --from data/fabrik.sqlite --to postgres://user:pass@host:5432/fabrik')
  process.exit(2)
}
if (!values.from.endsWith('fabrik.sqlite')) {
  console.error('--from must be the fabrik.sqlite file of a DATA_DIR.')
  process.exit(2)
}
const source = createDatabase({ dataDir: dirname(values.from), databaseUrl: null })
const target = createDatabase({ dataDir: dirname(values.from), databaseUrl: values.to })
try {
  await migrateToLatest(source)
  await migrateToLatest(target)
  const report = await copyDatabase(source, target)
  for (const r of report) console.log(`${r.table.padEnd(22)} ${String(r.target).padStart(8)} rows`)
  console.log('Copy complete: every table has the same number of rows on both sides.')
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await source.destroy()
  await target.destroy()
}
