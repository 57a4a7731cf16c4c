import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, type TestApp } from '../helpers/app.js'

describe('/assets/', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
  })
  afterEach(() => t.close())

  it('answers the stylesheet with its type, a validator and the security headers; 304 when unchanged', async () => {
    const res = await t.app.inject('/assets/fabrik.css')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('text/css; charset=utf-8')
    expect(res.headers['cache-control']).toBe('public, max-age=3600')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.body).toContain('font-family')
    const again = await t.app.inject({ url: '/assets/fabrik.css', headers: { 'if-none-match': res.headers.etag as string } })
    expect(again.statusCode).toBe(304)
    expect(again.body).toBe('')
    expect((await t.app.inject('/assets/favicon.svg')).headers['content-type']).toBe('image/svg+xml')
  })

  it('answers nothing else: unknown names and paths out of the folder are a French 404', async () => {
    for (const url of ['/assets/nope.css', '/assets/../package.json', '/assets/%2e%2e/package.json', '/assets/', '/assets/sub/fabrik.css']) {
      const res = await t.app.inject(url)
      expect(res.statusCode, url).toBe(404)
      expect(res.body, url).not.toContain('"name": "fabrik"')
    }
    expect((await t.app.inject('/assets/nope.css')).body).toContain('Page introuvable')
  })
})
