import { createHmac } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { createDatabase, isPostgres } from '../../src/db/index.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import type { Platform } from '../../src/db/schema.js'
import { createTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { holderRecipient } from '../../src/pitches/recipients.js'
import { queueSessionMail } from '../../src/sessions/notify.js'
import { findSessionById } from '../../src/sessions/store.js'
import { createViews } from '../../src/web/views.js'
import { buildTestApp, Client, createPlatform, type TestApp, TestClock } from '../helpers/app.js'
import { type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'
import { invitedContact, queueInvitation } from './people.js'

// Issue #25 §4: a copy of the database opens no personal link, and what Fabrik writes in DATA_DIR is its
// owner's alone.

let umask: number
beforeAll(() => {
  // The usual umask, under which SQLite alone would create the database world-readable (0644).
  umask = process.umask(0o022)
})
afterAll(() => {
  process.umask(umask)
})

const mode = (path: string) => statSync(path).mode & 0o777

describe('the files of a fresh instance', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fabrik-modes-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  it('are readable by their owner only: DATA_DIR, the secret, the database, its WAL, the mail folder and each .eml', async () => {
    const dataDir = join(root, 'data')
    const config = { ...loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), publicUrl: 'http://fabrik.test' }
    const db = createDatabase({ dataDir, databaseUrl: null })
    const ctx = { config, db, clock: new TestClock(new Date('2026-11-23T09:00:00.000Z')).now, views: createViews() }
    try {
      await migrateToLatest(db)
      await db.insertInto('outbox').values({
        kind: 'pitch.received', platform_id: null, session_id: null, thread_key: null, dedupe_key: null, to_name: 'Porteur', to_email: 'porteur@example.org',
        subject: 'Reçu', text_body: 'Bonjour\n', html_body: '<p>Bonjour</p>', ical_method: null, ical: null, message_id: '<m1@fabrik.test>',
        status: 'queued', attempts: 0, next_attempt_at: '2026-11-23T09:00:00.000Z', lease_until: null, last_error: null, sent_at: null, created_at: '2026-11-23T09:00:00.000Z',
      }).execute()
      const transport = createTransport(config)
      expect(await deliverDue(ctx, transport)).toMatchObject({ sent: 1 })
      await transport.close()

      const file = join(dataDir, 'fabrik.sqlite')
      expect(existsSync(`${file}-wal`)).toBe(true)
      const outbox = join(dataDir, 'outbox')
      const eml = readdirSync(outbox)
      expect(eml).toHaveLength(1)
      expect({
        dataDir: mode(dataDir), secret: mode(join(dataDir, 'session-secret')), db: mode(file), wal: mode(`${file}-wal`), shm: mode(`${file}-shm`),
        outbox: mode(outbox), eml: mode(join(outbox, eml[0]!)),
      }).toEqual({ dataDir: 0o700, secret: 0o600, db: 0o600, wal: 0o600, shm: 0o600, outbox: 0o700, eml: 0o600 })
    } finally {
      await db.destroy()
    }
  })

  it('narrows a database file and a secret left readable by an older version', async () => {
    const dataDir = join(root, 'old')
    loadConfig({ DATA_DIR: dataDir })
    const first = createDatabase({ dataDir, databaseUrl: null })
    await migrateToLatest(first)
    await first.destroy()
    const file = join(dataDir, 'fabrik.sqlite')
    chmodSync(file, 0o644)
    chmodSync(join(dataDir, 'session-secret'), 0o644)
    writeFileSync(`${file}-wal`, '', { mode: 0o644 })
    chmodSync(`${file}-wal`, 0o644)
    loadConfig({ DATA_DIR: dataDir })
    const again = createDatabase({ dataDir, databaseUrl: null })
    await again.destroy()
    expect([mode(file), mode(join(dataDir, 'session-secret'))]).toEqual([0o600, 0o600])
  })
})

/** Every token the app can derive for these rows, whatever the purpose and the first few versions. */
function allTokens(secret: string, ids: { rsvp: number[]; pitch: number[]; contact: number[]; holder: number[] }): string[] {
  const purposes: Array<[string, number[]]> = [
    ['rsvp', ids.rsvp], ['pitch', ids.pitch], ['pitch-confirm', ids.pitch], ['feed-contact', ids.contact], ['feed-holder', ids.holder],
  ]
  const tokens: string[] = []
  for (const [purpose, list] of purposes) {
    for (const id of list) for (let version = 0; version < 4; version++) tokens.push(createHmac('sha256', secret).update(`${purpose}:${id}:${version}`).digest('base64url'))
  }
  return tokens
}

describe('the database after every kind of personal-link mail', () => {
  let t: TestApp
  let smtp: SmtpPeer
  let platform: Platform
  let sessionId: number
  beforeEach(async () => {
    smtp = await startSmtpPeer()
    t = await buildTestApp({ config: { smtpUrl: smtp.url } })
    platform = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, platform)
  })
  afterEach(async () => {
    await t.close()
    await smtp.close()
  })

  it('holds no working link — rows, and on SQLite the bytes of the files — while the delivered messages carry them', async () => {
    // An invitation (RSVP link and the contact's feed), a booking from the public form (its emails, with the
    // holder's links), and a pitch confirmation with its calendar invitation.
    await queueInvitation(t, platform, sessionId, await invitedContact(t, platform, sessionId, { name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org' }))
    const booked = await new Client(t.app).submit('/test/sessions/2026-12-18/pitch', bookingFields(1))
    expect(booked.statusCode).toBe(303)
    const pitch = await t.db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id')
      .select(['pitch.id', 'pitch.token_version', 'holder.id as holder_id', 'holder.name', 'holder.email']).executeTakeFirstOrThrow()
    const session = (await findSessionById(t.db, sessionId))!
    await queueSessionMail(t.app.ctx, t.db, platform, session, 'pitch.confirmed', holderRecipient(t.app.ctx, { id: pitch.holder_id, name: pitch.name, email: pitch.email! }, pitch), { itip: 'REQUEST', initiativeTitle: 'Jardin partagé 1' })

    const transport = createTransport(t.config)
    await deliverDue(t.app.ctx, transport)
    await transport.close()
    const rows = await t.db.selectFrom('outbox').select(['kind', 'status']).execute()
    expect(rows.length).toBeGreaterThanOrEqual(3)
    expect(rows.filter((r) => r.status !== 'sent' && r.status !== 'superseded')).toEqual([])
    const sent = rows.filter((r) => r.status === 'sent').length

    const ids = {
      rsvp: (await t.db.selectFrom('invitation').select('id').execute()).map((r) => r.id),
      pitch: [pitch.id],
      contact: (await t.db.selectFrom('contact').select('id').execute()).map((r) => r.id),
      holder: [pitch.holder_id],
    }
    const tokens = allTokens(t.config.sessionSecret, ids)

    // The messages as delivered do carry the working links.
    const delivered = (await smtp.waitFor(sent)).map((m) => `${m.parsed.text ?? ''}\n${m.parsed.html || ''}`).join('\n')
    const rsvpToken = tokens[0]!
    expect(delivered).toContain(`http://fabrik.test/rsvp/${rsvpToken}`)
    expect(delivered).toContain(`http://fabrik.test/pitch/${allTokens(t.config.sessionSecret, { ...ids, rsvp: [] })[0]}`)
    expect(delivered).toMatch(/http:\/\/fabrik\.test\/feeds\/[A-Za-z0-9_-]{43}\.ics/)
    const found = tokens.filter((token) => delivered.includes(token))
    expect(found.length).toBeGreaterThanOrEqual(4) // rsvp, pitch, both feeds

    // Every row of every table, as text.
    const tables = isPostgres(t.db)
      ? (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(t.db)).rows
      : (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(t.db)).rows
    expect(tables.map((r) => r.name)).toContain('outbox')
    let dump = ''
    for (const { name } of tables) dump += JSON.stringify((await sql`select * from ${sql.table(name)}`.execute(t.db)).rows)
    expect(dump).toContain('[[fabrik:rsvp:')
    expect(tokens.filter((token) => dump.includes(token))).toEqual([])

    // Someone who read a copy of the database types Hélène's reference into their own booking: their email
    // names it as text, and never opens her link (a reference is bound to the address it was written for).
    const stolen = /\[\[fabrik:rsvp:[^\]]+\]\]/.exec(dump)![0]
    const eve = await new Client(t.app).submit('/test/sessions/2026-12-18/pitch', bookingFields('eve', { holder_name: `Eve ${stolen}`, initiative_title: `Projet ${stolen}` }))
    expect(eve.statusCode).toBe(303)
    const count = smtp.messages.length
    const again = createTransport(t.config)
    await deliverDue(t.app.ctx, again)
    await again.close()
    const toEve = (await smtp.waitFor(count + 1)).slice(count).filter((m) => m.envelope.rcptTo.some((r) => r.address === 'porteureve@example.org'))
    expect(toEve.length).toBeGreaterThan(0)
    for (const m of toEve) {
      expect(m.parsed.text).toContain(stolen)
      expect(`${m.parsed.text}${m.parsed.html || ''}`).not.toContain(rsvpToken)
    }

    if (!isPostgres(t.db)) {
      // The database, its write-ahead log and shared memory, byte for byte (free pages and old frames included).
      const file = join(t.dataDir, 'fabrik.sqlite')
      const bytes = [file, `${file}-wal`, `${file}-shm`].filter(existsSync).map((f) => readFileSync(f))
      expect(bytes[1]!.length).toBeGreaterThan(0)
      const all = Buffer.concat(bytes)
      expect(all.includes('[[fabrik:rsvp:')).toBe(true)
      expect(tokens.filter((token) => all.includes(token))).toEqual([])
    }
  })
})
