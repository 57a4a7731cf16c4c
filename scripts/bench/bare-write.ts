import { createHash, randomBytes } from 'node:crypto'
import formbody from '@fastify/formbody'
import SQLite from 'better-sqlite3'
import Fastify from 'fastify'

// The yardstick for writes (issue #26): a bare Fastify + better-sqlite3 handler in its own process that does
// what a new booking writes — a holder, an initiative and its link, a pitch at the next position, and its
// outbox row, the platform's content version raised by the same triggers — in one transaction, on its own
// copy of the bench's database, with the app's durability (WAL, synchronous = FULL, secure_delete, foreign
// keys: src/db/index.ts). No login, no CSRF, no validation, no template: the disk's and SQLite's limit for
// that work. `node bare-write.js <database copy> <port> <booking path> <session id> <platform id>`.

const [file, port, path, sessionArg, platformArg] = process.argv.slice(2)
if (!file || !port || !path || !sessionArg || !platformArg) {
  console.error('usage: bare-write.js <database copy> <port> <booking path> <session id> <platform id>')
  process.exit(2)
}
const sessionId = Number(sessionArg)
const platformId = Number(platformArg)

const sqlite = new SQLite(file)
sqlite.pragma('journal_mode = WAL')
sqlite.pragma('secure_delete = ON')
sqlite.pragma('synchronous = FULL')
sqlite.pragma('foreign_keys = ON')
sqlite.pragma('busy_timeout = 5000')

const insertHolder = sqlite.prepare(`insert into holder (platform_id, name, email, email_key, phone, kind, commune_id, feed_token_hash, created_at, updated_at)
  values (?, ?, ?, ?, null, ?, null, null, ?, ?) returning id`).pluck()
const insertInitiative = sqlite.prepare(`insert into initiative (platform_id, title, summary, domain, needs, stage, commune_id, merged_into_id, created_at, updated_at)
  values (?, ?, ?, ?, '', ?, null, null, ?, ?) returning id`).pluck()
const linkHolder = sqlite.prepare('insert into initiative_holder (initiative_id, holder_id) values (?, ?)')
const nextPosition = sqlite.prepare('select coalesce(max(position), 0) + 1 from pitch where session_id = ?').pluck()
const insertPitch = sqlite.prepare(`insert into pitch (session_id, initiative_id, holder_id, status, position, attendance_mode, public_title, facilitator_message, token_hash, hold_until, created_at, updated_at)
  values (?, ?, ?, 'waiting', ?, ?, 0, null, ?, ?, ?, ?) returning id`).pluck()
const insertOutbox = sqlite.prepare(`insert into outbox (kind, platform_id, session_id, thread_key, dedupe_key, to_name, to_email, subject, text_body, html_body, ical_method, ical, message_id, status, attempts, next_attempt_at, lease_until, last_error, sent_at, created_at)
  values ('pitch.verify', ?, ?, null, null, ?, ?, ?, ?, ?, null, null, ?, 'queued', 0, ?, null, null, null, ?)`)

const book = sqlite.transaction((form: Record<string, string>) => {
  const now = new Date().toISOString()
  const email = form.holder_email!.toLowerCase()
  const holderId = insertHolder.get(platformId, form.holder_name, email, email, form.holder_kind, now, now) as number
  const initiativeId = insertInitiative.get(platformId, form.initiative_title, form.initiative_summary, form.domain, form.stage, now, now) as number
  linkHolder.run(initiativeId, holderId)
  const token = randomBytes(24).toString('base64url')
  const hash = createHash('sha256').update(token).digest('base64url')
  const pitchId = insertPitch.get(sessionId, initiativeId, holderId, nextPosition.get(sessionId), form.attendance, hash, now, now, now) as number
  // The message of about the app's size (its text and HTML parts), rendered here from a constant.
  const text = `Bonjour ${form.holder_name},\n\nMerci pour votre inscription : « ${form.initiative_title} ».\n${'Confirmez votre adresse en ouvrant le lien ci-dessous. '.repeat(12)}\n`
  insertOutbox.run(platformId, sessionId, form.holder_name, email, 'Confirmez votre inscription', text, `<p>${text}</p>`, `<pitch-${pitchId}@bench.example.org>`, now, now)
  return token
})

const app = Fastify({ logger: false })
await app.register(formbody, { bodyLimit: 64 * 1024 })
app.get('/__ready', async () => 'ok')
app.post(path, async (request, reply) => {
  const token = book(request.body as Record<string, string>)
  return reply.code(303).header('location', `/pitch/${token}`).send()
})

await app.listen({ port: Number(port), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => { sqlite.close(); process.exit(0) }))
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
