import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

// Public pages and feeds are read thousands of times for each change: each is rendered once per change and
// then answered from memory. An entry is valid for one *stamp*: the platform's content version (raised by
// database triggers on every change those pages show, whichever instance made it — see the migration
// 2026-11-25T0900-content-version) and the current minute (what depends on the clock alone: "upcoming",
// "tenue", bookings closing, follows within a minute). Never cached: anything but a 200, a response that
// sets a cookie or carries a form's CSRF token, a logged-in facilitator's view, a URL with a query string.

interface Entry {
  stamp: string
  headers: Record<string, string>
  body: Buffer
}

/** What a hit writes besides the headers the request already carries (the security headers). */
interface Stored extends Entry {
  /** The representation's headers with its length, and without its type for a 304. */
  ok: Record<string, string>
  notModified: Record<string, string>
}

/** Least recently used entries go first once the bodies pass `maxBytes`. */
export class PageCache {
  private readonly entries = new Map<string, Stored>()
  private bytes = 0

  constructor(private readonly maxBytes: number) {}

  get(key: string, stamp: string): Stored | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    this.entries.delete(key)
    if (entry.stamp !== stamp) {
      this.bytes -= entry.body.length
      return undefined
    }
    this.entries.set(key, entry)
    return entry
  }

  set(key: string, entry: Entry): void {
    const old = this.entries.get(key)
    if (old) {
      this.entries.delete(key)
      this.bytes -= old.body.length
    }
    if (entry.body.length > this.maxBytes / 4) return
    const { 'content-type': _type, ...notModified } = entry.headers
    this.entries.set(key, { ...entry, ok: { ...entry.headers, 'content-length': String(entry.body.length) }, notModified })
    this.bytes += entry.body.length
    for (const [k, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(k)
      this.bytes -= e.body.length
    }
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes }
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    pageCache: PageCache
  }
  interface FastifyRequest {
    /** Set by serveCached on a miss: the response is kept under this key if it can be. */
    cacheSlot: { key: string; stamp: string } | null
  }
}

/** The stamp of a platform's public content now: its version and the minute (a number: no date formatting per request). */
export function contentStamp(version: number | null, now: Date): string {
  return `${version ?? 0}@${Math.floor(now.getTime() / 60_000)}`
}

/** Does an If-None-Match header name this ETag? */
export function etagMatches(header: string | undefined, etag: string): boolean {
  return header !== undefined && header.split(',').some((m) => m.trim().replace(/^W\//, '') === etag)
}

/** What is kept beside the body: the representation's own headers (the security headers are on every response anyway). */
const KEPT = ['content-type', 'etag', 'last-modified', 'cache-control', 'content-disposition', 'x-robots-tag', 'access-control-allow-origin']

export function registerPageCache(app: FastifyInstance, maxBytes: number) {
  app.decorate('pageCache', new PageCache(maxBytes))
  app.decorateRequest('cacheSlot', null)
  app.addHook('onSend', (request, reply, payload, done) => {
    const slot = request.cacheSlot
    const keep = slot && request.method === 'GET' && reply.statusCode === 200 && !reply.hasHeader('set-cookie') &&
      (typeof payload === 'string' || Buffer.isBuffer(payload))
    if (keep) {
      const headers: Record<string, string> = {}
      for (const name of KEPT) {
        const value = reply.getHeader(name)
        if (value !== undefined) headers[name] = String(value)
      }
      app.pageCache.set(slot.key, { stamp: slot.stamp, headers, body: Buffer.from(payload as string | Buffer) })
    }
    done(null, payload)
  })
}

/**
 * Answers from memory when this URL was rendered at this stamp (a 304 when the client holds its ETag) and
 * returns true; otherwise marks the response to be kept and returns false: the route renders as usual.
 * `key` defaults to the URL; a personal feed passes its owner instead (the token never stays in memory).
 */
export function serveCached(request: FastifyRequest, reply: FastifyReply, stamp: string, key = request.url): boolean {
  if (request.login || request.url.includes('?') || (request.method !== 'GET' && request.method !== 'HEAD')) return false
  const entry = request.server.pageCache.get(key, stamp)
  if (!entry) {
    request.cacheSlot = { key, stamp }
    return false
  }
  // Written straight to the socket: a hit skips Fastify's send path (the onSend hooks, the length and type
  // defaults, the response listeners) — the headers are those the request already carries (the security
  // headers of the onRequest hook) and the stored representation's. Node drops the body of a HEAD.
  const etag = entry.headers.etag
  const notModified = etag !== undefined && etagMatches(request.headers['if-none-match'], etag)
  reply.hijack()
  reply.raw.writeHead(notModified ? 304 : 200, Object.assign(reply.getHeaders(), notModified ? entry.notModified : entry.ok) as Record<string, string>)
  reply.raw.end(notModified ? undefined : entry.body)
  return true
}

/** A response that must not be kept (it carries a CSRF token, or something personal). */
export function doNotCache(request: FastifyRequest): void {
  request.cacheSlot = null
}
