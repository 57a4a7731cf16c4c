import { createHash, randomBytes } from 'node:crypto'
import formbody from '@fastify/formbody'
import Fastify from 'fastify'
import pg from 'pg'

// The yardstick for writes on PostgreSQL (issue #26), as bare-write.ts is on SQLite: a bare Fastify + `pg`
// handler in its own process that does what a new booking writes — the session's row locked (as the app's
// lockSession does on PostgreSQL, so positions are taken in turn), a holder, an initiative and its link, a
// pitch at the next position and its outbox row, the platform's content version raised at the commit by the
// same deferred triggers — in one transaction, on its own copy of the bench's database (a template copy),
// with the server's durability (synchronous_commit on) and the app's pool size (10). No login, no CSRF, no
// validation, no template: the database's limit for that work.
// `node bare-write-pg.js <postgres url> <port> <booking path> <session id> <platform id>`.

const [url, port, path, sessionArg, platformArg] = process.argv.slice(2)
if (!url || !port || !path || !sessionArg || !platformArg) {
  console.error('usage: bare-write-pg.js <postgres url> <port> <booking path> <session id> <platform id>')
  process.exit(2)
}
const sessionId = Number(sessionArg)
const platformId = Number(platformArg)
pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10))
const pool = new pg.Pool({ connectionString: url, max: 10 })

// Named statements: parsed and planned once per connection, as a bare handler would.
const q = (name: string, text: string) => (client: pg.PoolClient, values: unknown[]) => client.query<{ id: number; n: number }>({ name, text, values })
const lockSession = q('lock', 'select id from session where id = $1 for update')
const insertHolder = q('holder', `insert into holder (platform_id, name, email, email_key, phone, kind, commune_id, feed_token_hash, created_at, updated_at)
  values ($1, $2, $3, $4, null, $5, null, null, $6, $7) returning id`)
const insertInitiative = q('initiative', `insert into initiative (platform_id, title, summary, domain, needs, stage, commune_id, merged_into_id, created_at, updated_at)
  values ($1, $2, $3, $4, '', $5, null, null, $6, $7) returning id`)
const linkHolder = q('link', 'insert into initiative_holder (initiative_id, holder_id) values ($1, $2)')
const nextPosition = q('position', 'select coalesce(max(position), 0) + 1 as n from pitch where session_id = $1')
const insertPitch = q('pitch', `insert into pitch (session_id, initiative_id, holder_id, status, position, attendance_mode, public_title, facilitator_message, token_hash, hold_until, created_at, updated_at)
  values ($1, $2, $3, 'waiting', $4, $5, 0, null, $6, $7, $8, $9) returning id`)
const insertOutbox = q('outbox', `insert into outbox (kind, platform_id, session_id, thread_key, dedupe_key, to_name, to_email, subject, text_body, html_body, ical_method, ical, message_id, status, attempts, next_attempt_at, lease_until, last_error, sent_at, created_at)
  values ('pitch.verify', $1, $2, null, null, $3, $4, $5, $6, $7, null, null, $8, 'queued', 0, $9, null, null, null, $10)`)

async function book(form: Record<string, string>): Promise<string> {
  const client = await pool.connect()
  try {
    await client.query('begin')
    const now = new Date().toISOString()
    const email = form.holder_email!.toLowerCase()
    await lockSession(client, [sessionId])
    const holderId = (await insertHolder(client, [platformId, form.holder_name, email, email, form.holder_kind, now, now])).rows[0]!.id
    const initiativeId = (await insertInitiative(client, [platformId, form.initiative_title, form.initiative_summary, form.domain, form.stage, now, now])).rows[0]!.id
    await linkHolder(client, [initiativeId, holderId])
    const token = randomBytes(24).toString('base64url')
    const hash = createHash('sha256').update(token).digest('base64url')
    const position = (await nextPosition(client, [sessionId])).rows[0]!.n
    const pitchId = (await insertPitch(client, [sessionId, initiativeId, holderId, position, form.attendance, hash, now, now, now])).rows[0]!.id
    // The message of about the app's size (its text and HTML parts), rendered here from a constant.
    const text = `Bonjour ${form.holder_name},\n\nMerci pour votre inscription : « ${form.initiative_title} ».\n${'Confirmez votre adresse en ouvrant le lien ci-dessous. '.repeat(12)}\n`
    await insertOutbox(client, [platformId, sessionId, form.holder_name, email, 'Confirmez votre inscription', text, `<p>${text}</p>`, `<pitch-${pitchId}@bench.example.org>`, now, now])
    await client.query('commit')
    return token
  } catch (error) {
    await client.query('rollback').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

const app = Fastify({ logger: false })
await app.register(formbody, { bodyLimit: 64 * 1024 })
app.get('/__ready', async () => 'ok')
app.post(path, async (request, reply) => {
  const token = await book(request.body as Record<string, string>)
  return reply.code(303).header('location', `/pitch/${token}`).send()
})

await app.listen({ port: Number(port), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => pool.end()).then(() => process.exit(0)))
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
