import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { createDatabase } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import type { Db } from '../../src/db/schema.js'

export interface TempDatabase {
  db: Db
  dataDir: string
  /** null for SQLite (the file lives in dataDir). */
  databaseUrl: string | null
  /** Another handle on the same database (a second worker process); closed with close(). */
  connect(): Db
  close(): Promise<void>
}

/**
 * A fresh, migrated database: SQLite in a temp folder, or — when FABRIK_TEST_PG_URL is set (e.g.
 * postgres://postgres@127.0.0.1:5433/postgres) — a new PostgreSQL database on that server, dropped by close().
 */
export async function tempDatabase(): Promise<TempDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-test-'))
  const admin = process.env.FABRIK_TEST_PG_URL
  const name = admin ? `fabrik_t_${randomBytes(6).toString('hex')}` : null
  let databaseUrl: string | null = null
  if (admin && name) {
    await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`))
    const url = new URL(admin)
    url.pathname = `/${name}`
    databaseUrl = url.toString()
  }
  const handles: Db[] = []
  const connect = () => {
    const handle = createDatabase({ dataDir, databaseUrl, poolSize: 4 })
    handles.push(handle)
    return handle
  }
  const db = connect()
  await migrateToLatest(db)
  return {
    db,
    dataDir,
    databaseUrl,
    connect,
    async close() {
      // A handle may already be destroyed (app.close() does it); destroying twice is harmless.
      for (const h of handles) await h.destroy().catch(() => undefined)
      if (admin && name) await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}
