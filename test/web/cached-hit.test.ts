import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'

// A page answered from the page cache is written straight to the socket (web/page-cache.ts serveCached): it
// must carry exactly what the rendered answer carried — the security headers, the representation's own, its
// length — a HEAD the same headers without a body, and a 304 no type.

describe('a cached public page', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    await createPlatform(t.db, { slug: 'lens-lievin', name: 'La Fabrik à projets — Lens-Liévin' })
  })
  afterEach(() => t.close())

  const without = (h: Record<string, unknown>) => { const { date: _d, connection: _c, ...rest } = h; return rest }
  /** Runs `request` and says whether the page cache answered it (a stored entry found), so a test of a hit
   * cannot pass on a second rendering. */
  async function hit<T>(request: () => Promise<T>): Promise<{ answer: T; fromCache: boolean }> {
    const get = vi.spyOn(t.app.pageCache, 'get')
    try {
      const answer = await request()
      return { answer, fromCache: get.mock.results.some((r) => r.type === 'return' && r.value !== undefined) }
    } finally {
      get.mockRestore()
    }
  }

  it('answers the same status, headers and bytes as the rendered page, HEAD included', async () => {
    for (const url of ['/lens-lievin', '/lens-lievin/calendar.ics', '/lens-lievin/sessions.json']) {
      const first = await hit(() => t.app.inject(url))
      expect(first.fromCache, url).toBe(false)
      const rendered = first.answer
      const second = await hit(() => t.app.inject(url))
      expect(second.fromCache, url).toBe(true)
      const cached = second.answer
      expect(cached.statusCode, url).toBe(200)
      expect(without(cached.headers), url).toEqual(without(rendered.headers))
      expect(cached.rawPayload.equals(rendered.rawPayload), url).toBe(true)
      expect(cached.headers['content-security-policy'], url).toContain("frame-ancestors 'none'")
      expect(cached.headers['x-frame-options'], url).toBe('DENY')
      expect(cached.headers['content-length'], url).toBe(String(rendered.rawPayload.length))
      const { answer: head, fromCache: headCached } = await hit(() => t.app.inject({ method: 'HEAD', url }))
      expect(headCached, url).toBe(true)
      expect(head.statusCode, url).toBe(200)
      expect(head.body, url).toBe('')
      expect(head.headers['content-type'], url).toBe(rendered.headers['content-type'])
    }
  })

  it('answers 304 without a type when the client holds the ETag', async () => {
    const first = await t.app.inject('/lens-lievin/calendar.ics')
    await t.app.inject('/lens-lievin/calendar.ics')
    const { answer: again, fromCache } = await hit(() => t.app.inject({ url: '/lens-lievin/calendar.ics', headers: { 'if-none-match': String(first.headers.etag) } }))
    expect(fromCache).toBe(true)
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect(again.headers['content-type']).toBeUndefined()
    expect(again.headers['x-content-type-options']).toBe('nosniff')
  })
})
