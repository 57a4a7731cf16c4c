import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

// The yardstick: a bare Fastify server in its own process that answers, on each measured URL, the bytes the
// app answered there — status, headers and body, from memory: no database, no template, no plugin.
// `node bare-server.js <responses.json> <port>`.

export interface RecordedResponse {
  method: 'GET' | 'POST'
  path: string
  status: number
  /** Every header the app sent but those Node writes itself (date, connection, keep-alive, content-length). */
  headers: Record<string, string | string[]>
  bodyBase64: string
}

const [file, port] = process.argv.slice(2)
if (!file || !port) {
  console.error('usage: bare-server.js <responses.json> <port>')
  process.exit(2)
}

const responses = JSON.parse(readFileSync(file, 'utf8')) as RecordedResponse[]
const app = Fastify({ logger: false })
// The booking form's body is read and dropped (the app parses it; a bare server answers 415 otherwise).
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))
app.get('/__ready', async () => 'ok')
for (const r of responses) {
  const body = Buffer.from(r.bodyBase64, 'base64')
  app.route({
    method: r.method,
    url: r.path,
    handler: async (_request, reply) => {
      reply.code(r.status).headers(r.headers)
      return reply.send(body)
    },
  })
}

await app.listen({ port: Number(port), host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
// The bench holds our stdin open: when it goes away, however it went, so do we.
process.stdin.on('end', () => process.exit(0))
process.stdin.resume()
