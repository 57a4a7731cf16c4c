import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { extname, join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { etagMatches } from './page-cache.js'
import { notFound } from './errors.js'
import { viewsDir } from './views.js'

// The stylesheets and the icon under /assets/: three small files read once at start-up and answered from
// memory (@fastify/static, with its file streaming, cost a tenth of a second of start-up for them).

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

export function registerAssets(app: FastifyInstance) {
  const dir = join(viewsDir(), 'assets')
  const files = new Map<string, { type: string; body: Buffer; etag: string }>()
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)]
    if (!type || name.startsWith('.')) continue
    const body = readFileSync(join(dir, name))
    files.set(name, { type, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` })
  }
  app.get('/assets/*', (request, reply) => {
    const file = files.get((request.params as { '*': string })['*'])
    if (!file) return notFound(request, reply)
    reply.header('cache-control', 'public, max-age=3600').header('etag', file.etag)
    if (etagMatches(request.headers['if-none-match'], file.etag)) return reply.code(304).send()
    return reply.type(file.type).send(file.body)
  })
}
