import { parseArgs } from 'node:util'
import { BackupError, backupSqlite, SQLITE_FILE } from '../src/db/backup.js'
import { ConfigError, loadConfig } from '../src/config.js'

// `npm run backup -- <file>`: an online, checked copy of the embedded database, safe while the app runs.
// With DATABASE_URL (PostgreSQL) it only says which command to run: pg_dump is the tool for that.

const USAGE = 'Usage: npm run backup -- <file>   (for example: npm run backup -- backups/fabrik-2026-11-23.sqlite)'

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

async function main(): Promise<number> {
  let positionals: string[]
  try {
    positionals = parseArgs({ allowPositionals: true, options: {} }).positionals
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`)
    return 2
  }
  const [target, ...extra] = positionals
  if (!target || extra.length) {
    console.error(USAGE)
    return 2
  }

  // The backup never needs the cookie key: a placeholder keeps loadConfig from generating one in DATA_DIR.
  const config = loadConfig({ ...process.env, SESSION_SECRET: process.env.SESSION_SECRET || 'x'.repeat(32) })
  if (config.databaseUrl) {
    console.error([
      'DATABASE_URL is set: the database is PostgreSQL, which this command does not copy. Use pg_dump (same major',
      'version as the server), which makes a consistent copy while the app runs:',
      '',
      `  pg_dump --format=custom --file=${quote(target)} "$DATABASE_URL"`,
      '',
      'Restore into a new, empty database, then start the app with DATABASE_URL pointing to it:',
      '',
      `  pg_restore --no-owner --exit-on-error --dbname="$DATABASE_URL" ${quote(target)}`,
    ].join('\n'))
    return 2
  }

  const { bytes, ms } = await backupSqlite(config.dataDir, target)
  console.log(`Backup of ${config.dataDir}/${SQLITE_FILE} written to ${target}: ${size(bytes)} in ${ms} ms, integrity check ok.`)
  return 0
}

main().then(
  (code) => { process.exitCode = code },
  (error) => {
    console.error(error instanceof BackupError || error instanceof ConfigError ? `Backup failed: ${error.message}` : error)
    process.exitCode = 1
  },
)
