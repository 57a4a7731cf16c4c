import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loginTarget } from '../../src/web/guards.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, PASSWORD, type TestApp } from '../helpers/app.js'

describe('facilitator login', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [p.id])
  })
  afterEach(() => t.close())

  it('logs in with 303, keeps an HttpOnly SameSite=Lax cookie, and reaches the dashboard', async () => {
    const c = new Client(t.app)
    const page = await c.get('/login')
    expect(page.statusCode).toBe(200)
    const res = await c.post('/login', { email: 'Camille@test.example.org', password: PASSWORD, _csrf: csrfToken(page.body) })
    expect(res.statusCode).toBe(303)
    const cookie = res.cookies.find((k) => k.name === 'fabrik_login')!
    expect(cookie.httpOnly).toBe(true)
    expect(cookie.sameSite).toBe('Lax')
    expect(cookie.secure).toBeFalsy()
    const admin = await c.get('/admin/p/test')
    expect(admin.statusCode).toBe(200)
    expect(admin.body).toContain('Plateforme test')
  })

  it('marks the cookie Secure with the __Host- prefix behind https', async () => {
    await t.close()
    t = await buildTestApp({ config: { publicUrl: 'https://fabrik.example.org', secureCookies: true } })
    const p = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [p.id])
    const c = new Client(t.app)
    const res = await c.login('camille@test.example.org')
    const cookie = res.cookies.find((k) => k.name === '__Host-fabrik_login')!
    expect(cookie.secure).toBe(true)
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000')
  })

  it('refuses a wrong password or an unknown address with the same answer, form kept', async () => {
    const c = new Client(t.app)
    const wrong = await c.submit('/login', { email: 'camille@test.example.org', password: 'nope nope nope' })
    const unknown = await c.submit('/login', { email: 'nobody@test.example.org', password: 'nope nope nope' })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.body).toContain('Adresse e-mail ou mot de passe incorrect.')
    expect(wrong.body).toContain('value="camille@test.example.org"')
    expect((await c.get('/admin/p/test')).statusCode).toBe(303)
  })

  it('logout kills the login on the server: the old cookie no longer opens anything', async () => {
    const c = new Client(t.app)
    await c.login('camille@test.example.org')
    const stolen = c.cookies.get('fabrik_login')!
    const dash = await c.get('/admin/p/test')
    const out = await c.post('/logout', { _csrf: csrfToken(dash.body) })
    expect(out.statusCode).toBe(303)
    const replay = await t.app.inject({ url: '/admin/p/test', headers: { cookie: `fabrik_login=${stolen}` } })
    expect(replay.statusCode).toBe(303)
    expect(replay.headers.location).toMatch(/^\/login\?next=/)
    expect(await t.db.selectFrom('login').selectAll().execute()).toHaveLength(0)
  })

  it('gives a new login token at each login (no fixation)', async () => {
    const c = new Client(t.app)
    await c.login('camille@test.example.org')
    const first = c.cookies.get('fabrik_login')!
    const dash = await c.get('/admin/p/test')
    expect((await c.post('/login', { email: 'camille@test.example.org', password: PASSWORD, _csrf: csrfToken(dash.body) })).statusCode).toBe(303)
    expect(c.cookies.get('fabrik_login')).not.toBe(first)
    // The previous login is gone, not merely replaced in this browser.
    expect((await t.app.inject({ url: '/admin/p/test', headers: { cookie: `fabrik_login=${first}` } })).statusCode).toBe(303)
  })

  it('refuses a POST without CSRF token, with a bogus one, or with one from another browser', async () => {
    const c = new Client(t.app)
    await c.get('/login')
    expect((await c.post('/login', { email: 'camille@test.example.org', password: PASSWORD })).statusCode).toBe(403)
    expect((await c.post('/login', { email: 'camille@test.example.org', password: PASSWORD, _csrf: 'bogus' })).statusCode).toBe(403)
    const other = new Client(t.app)
    const token = csrfToken((await other.get('/login')).body)
    const res = await c.post('/login', { email: 'camille@test.example.org', password: PASSWORD, _csrf: token })
    expect(res.statusCode).toBe(403)
    expect(res.body).toContain('Formulaire expiré')
  })

  it('refuses a token minted before login once logged in', async () => {
    const c = new Client(t.app)
    const before = csrfToken((await c.get('/login')).body)
    await c.login('camille@test.example.org')
    const res = await c.post('/logout', { _csrf: before })
    expect(res.statusCode).toBe(403)
  })

  it('refuses a cross-site POST even with a valid token', async () => {
    const c = new Client(t.app)
    const token = csrfToken((await c.get('/login')).body)
    const res = await c.request('POST', '/login', { email: 'camille@test.example.org', password: PASSWORD, _csrf: token }, { origin: 'https://evil.example' })
    expect(res.statusCode).toBe(403)
    const res2 = await c.request('POST', '/login', { email: 'camille@test.example.org', password: PASSWORD, _csrf: token }, { 'sec-fetch-site': 'cross-site' })
    expect(res2.statusCode).toBe(403)
  })

  it('rate-limits login attempts', async () => {
    const c = new Client(t.app)
    const token = csrfToken((await c.get('/login')).body)
    const codes: number[] = []
    for (let i = 0; i < 12; i++) codes.push((await c.post('/login', { email: 'camille@test.example.org', password: 'wrong wrong wrong', _csrf: token })).statusCode)
    expect(codes.slice(0, 10).every((s) => s === 401)).toBe(true)
    expect(codes.slice(10)).toEqual([429, 429])
  })

  it('leads to a same-site path after login, percent-encoded when it holds non-ASCII characters', async () => {
    for (const [next, location] of [
      ['/admin/p/test', '/admin/p/test'],
      ['/admin/p/test/partners?q=caf%C3%A9', '/admin/p/test/partners?q=caf%C3%A9'],
      ['/admin/p/test?q=café', '/admin/p/test?q=caf%C3%A9'],
      ['/admin/p/test?q=€', '/admin/p/test?q=%E2%82%AC'],
      ['/admin/p/test?q=日本', '/admin/p/test?q=%E6%97%A5%E6%9C%AC'],
    ]) {
      const c = new Client(t.app)
      const url = `/login?next=${encodeURIComponent(next!)}`
      const page = await c.get(url)
      expect(page.statusCode).toBe(200)
      const res = await c.post(url, { email: 'camille@test.example.org', password: PASSWORD, _csrf: csrfToken(page.body) })
      expect(res.statusCode, next).toBe(303)
      expect(res.headers.location, next).toBe(location)
    }
    expect(await t.db.selectFrom('login').selectAll().execute()).toHaveLength(5)
  })

  it('answers 400 to a next that leaves the site or breaks the header, before checking anything or writing a login', async () => {
    const c = new Client(t.app)
    for (const next of ['//evil.example/x', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '/admin\r\nSet-Cookie: x=y', '/admin\u0000', '/a b', '/admin\u2028x']) {
      const url = `/login?next=${encodeURIComponent(next)}`
      const page = await c.get(url)
      expect(page.statusCode, next).toBe(400)
      expect(page.body).toContain("Le lien qui vous a mené ici n&#39;est pas valide.")
      expect(page.body).toContain('action="/login"')
      const res = await c.post(url, { email: 'camille@test.example.org', password: PASSWORD, _csrf: csrfToken(page.body) })
      expect(res.statusCode, next).toBe(400)
      expect(res.headers.location).toBeUndefined()
      expect(res.headers['set-cookie'] ?? '').not.toContain('fabrik_login=')
      expect(res.body).toContain('value="camille@test.example.org"')
    }
    expect((await c.post('/login?next=a&next=b', { email: 'camille@test.example.org', password: PASSWORD, _csrf: csrfToken((await c.get('/login')).body) })).statusCode).toBe(400)
    expect(await t.db.selectFrom('login').selectAll().execute()).toHaveLength(0)
  })

  it('reads no multipart body: a 21 MB upload to /login answers 415 unread, and so does one without boundary', async () => {
    const boundary = '----fabrik'
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\ncamille@test.example.org\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n\r\n`),
      Buffer.alloc(21 * 1024 * 1024, 'a'),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ])
    const started = Date.now()
    const big = await t.app.inject({ method: 'POST', url: '/login', payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    expect(big.statusCode).toBe(415)
    expect(big.headers['content-type']).toContain('text/html')
    expect(big.body).toContain('<html lang="fr">')
    expect(Date.now() - started).toBeLessThan(2000)
    const bare = await t.app.inject({ method: 'POST', url: '/login', payload: 'x', headers: { 'content-type': 'multipart/form-data' } })
    expect(bare.statusCode).toBe(415)
    const booking = await t.app.inject({ method: 'POST', url: '/test/sessions/2026-12-18/pitch', payload: body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    expect(booking.statusCode).toBe(415)
    expect(await t.db.selectFrom('login').selectAll().execute()).toHaveLength(0)
  })

  it('sends security headers and a strict CSP without inline script', async () => {
    const res = await t.app.inject('/login')
    const csp = String(res.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("base-uri 'none'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.body).toContain('<html lang="fr">')
    expect(res.body).not.toMatch(/<script/i)
  })

  it('a facilitator only sees their own platforms', async () => {
    const other = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
    const c = new Client(t.app)
    await c.login('camille@test.example.org')
    expect((await c.get('/admin/p/autre')).statusCode).toBe(404)
    expect((await c.get('/admin/p/autre/communes')).statusCode).toBe(404)
    expect((await c.get('/admin')).headers.location).toBe('/admin/p/test')
    void other
  })

  it('answers /healthz', async () => {
    const res = await t.app.inject('/healthz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })
})

describe('loginTarget', () => {
  it('keeps a same-site path, encodes what a header cannot carry, refuses the rest', () => {
    expect(loginTarget(undefined)).toBe('/admin')
    expect(loginTarget('')).toBe('/admin')
    expect(loginTarget('/admin/p/x?y=1#z')).toBe('/admin/p/x?y=1#z')
    expect(loginTarget('/é')).toBe('/%C3%A9')
    expect(loginTarget('/😀')).toBe('/%F0%9F%98%80')
    for (const bad of ['//evil.example', '/\\evil', 'evil', 'https://evil.example', '/a\r\nb', '/a\tb', '/a\u0085', '/a\u00A0b', '/\uD800', ['/a'], 42, `/${'a'.repeat(2000)}`]) {
      expect(loginTarget(bad), JSON.stringify(bad)).toBeNull()
    }
  })
})
