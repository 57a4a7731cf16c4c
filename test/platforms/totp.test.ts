import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { createAccountToken } from '../../src/platforms/accounts.js'
import { setAdmin } from '../../src/platforms/store.js'
import { setTotpRequired } from '../../src/platforms/totp-store.js'
import { codeAt } from '../../src/platforms/totp.js'
import { CODES_PER_ACCOUNT } from '../../src/platforms/totp-login-routes.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, facilitatorClient, PASSWORD, type TestApp } from '../helpers/app.js'
import { linkToken } from '../helpers/factories.js'

const EMAIL = 'camille@test.example.org'

describe('two-factor login (TOTP)', () => {
  let t: TestApp
  let p: Platform
  let camille: Client
  beforeEach(async () => {
    t = await buildTestApp({ now: '2026-12-03T09:00:05.000Z' })
    p = await createPlatform(t.db)
    camille = await facilitatorClient(t.app, t.db, [p.id])
  })
  afterEach(() => t.close())

  const count = async (table: 'facilitator_totp' | 'facilitator_recovery_code') =>
    Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n)

  /** Enrols Camille: the key read from the page, the code computed at the test clock's time. */
  async function enrol(): Promise<{ key: string; codes: string[] }> {
    const form = await camille.get('/admin/account/totp')
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('src="data:image/svg+xml;base64,')
    const key = /<code class="totp-key">([A-Z2-7 ]+)<\/code>/.exec(form.body)![1]!.replace(/ /g, '')
    const enrolment = /name="enrolment" value="([^"]+)"/.exec(form.body)![1]!
    // Opening the page wrote nothing.
    expect(await count('facilitator_totp')).toBe(0)
    const right = codeAt(key, t.clock.now())
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0')
    const refused = await camille.post('/admin/account/totp', { enrolment, code: wrong, _csrf: csrfToken(form.body) })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain("Ce code n&#39;est pas le bon")
    expect(await count('facilitator_totp')).toBe(0)
    const done = await camille.post('/admin/account/totp', { enrolment, code: right, _csrf: csrfToken(form.body) })
    expect(done.statusCode).toBe(200)
    expect(done.headers['cache-control']).toBe('no-store')
    const codes = [...done.body.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)].map((m) => m[1]!)
    expect(codes).toHaveLength(10)
    const row = await t.db.selectFrom('facilitator_totp').selectAll().executeTakeFirstOrThrow()
    expect(row.secret_box).not.toContain(key)
    const hashes = await t.db.selectFrom('facilitator_recovery_code').select('code_hash').execute()
    expect(hashes.map((h) => h.code_hash).join()).not.toContain(codes[0]!.replace(/-/g, ''))
    return { key, codes }
  }

  /** Password step: the client holds only the pending state, redirected to the code form. */
  async function passwordStep(client: Client) {
    const res = await client.login(EMAIL)
    expect(res.headers.location).toBe('/login/code')
    return client
  }

  async function sendCode(client: Client, code: string) {
    const form = await client.get('/login/code')
    expect(form.statusCode).toBe(200)
    return client.post('/login/code', { code, _csrf: csrfToken(form.body) })
  }

  it('enrols from the account page, then asks the code after the password; a wrong or replayed code is refused', async () => {
    const { key } = await enrol()
    const enrolCode = codeAt(key, t.clock.now())
    const browser = await passwordStep(new Client(t.app))
    // Half logged in: no page of the facilitators opens.
    expect(browser.cookies.has('fabrik_login')).toBe(false)
    expect((await browser.get('/admin')).headers.location).toMatch(/^\/login\?next=/)
    expect((await browser.get(`/admin/p/${p.slug}`)).statusCode).toBe(303)
    expect((await browser.get('/admin/account')).statusCode).toBe(303)
    // The code used at enrolment, within its 30 seconds: a replay.
    const replayed = await sendCode(browser, enrolCode)
    expect(replayed.statusCode).toBe(401)
    expect(replayed.body).toContain('Ce code a déjà servi')
    const wrong = await sendCode(browser, '000000' === enrolCode ? '111111' : '000000')
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).toContain("Ce code n&#39;est pas le bon")
    t.clock.advance(30_000)
    const next = codeAt(key, t.clock.now())
    const ok = await sendCode(browser, next)
    expect(ok.statusCode).toBe(303)
    expect(ok.headers.location).toBe('/admin')
    expect(browser.cookies.has('fabrik_pending')).toBe(false)
    expect((await browser.get('/admin/account')).statusCode).toBe(200)
    // The same code again, from another browser: refused.
    const other = await passwordStep(new Client(t.app, {}, '10.0.0.9'))
    expect((await sendCode(other, next)).statusCode).toBe(401)
  })

  it('takes a recovery code once, and keeps the next page after the code', async () => {
    const { codes } = await enrol()
    const browser = new Client(t.app)
    const login = await browser.submit('/login?next=%2Fadmin%2Fp%2Ftest', { email: EMAIL, password: PASSWORD }, '/login?next=%2Fadmin%2Fp%2Ftest')
    expect(login.headers.location).toBe('/login/code?next=%2Fadmin%2Fp%2Ftest')
    const form = await browser.get(login.headers.location as string)
    const used = await browser.post('/login/code?next=%2Fadmin%2Fp%2Ftest', { code: codes[3]!.toUpperCase(), _csrf: csrfToken(form.body) })
    expect(used.statusCode).toBe(303)
    expect(used.headers.location).toBe('/admin/account?recovery=used')
    const account = await browser.get('/admin/account')
    expect(account.body).toContain('<strong>9</strong> sur 10')
    const again = await passwordStep(new Client(t.app))
    const refused = await sendCode(again, codes[3]!)
    expect(refused.statusCode).toBe(401)
    expect(refused.body).toContain('a déjà servi')
  })

  it('limits the codes tried per account, and the pending state lasts five minutes', async () => {
    const { key } = await enrol()
    t.clock.advance(60_000)
    const browser = await passwordStep(new Client(t.app))
    for (let i = 0; i < CODES_PER_ACCOUNT; i++) expect((await sendCode(browser, 'abcdef')).statusCode).toBe(400)
    const limited = await sendCode(browser, codeAt(key, t.clock.now()))
    expect(limited.statusCode).toBe(429)
    expect(limited.body).toContain('Trop de codes ont été essayés pour ce compte')

    const late = new Client(t.app, {}, '10.0.0.3')
    await late.login(EMAIL)
    const form = await late.get('/login/code')
    t.clock.advance(5 * 60_000 + 1000)
    const expired = await late.post('/login/code', { code: codeAt(key, t.clock.now()), _csrf: csrfToken(form.body) })
    expect(expired.statusCode).toBe(401)
    expect(expired.body).toContain('Votre connexion a expiré')
    expect((await late.get('/login/code')).headers.location).toBe('/login')
  })

  it('renews the recovery codes, then turns off, each with the password and a code', async () => {
    const { key, codes } = await enrol()
    const account = await camille.get('/admin/account')
    const renewed = await camille.post('/admin/account/totp/recovery', { password: PASSWORD, code: codes[0]!, _csrf: csrfToken(account.body) })
    expect(renewed.statusCode).toBe(200)
    expect(renewed.body).toContain('les précédents ne servent plus')
    const fresh = [...renewed.body.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)].map((m) => m[1]!)
    expect(fresh).toHaveLength(10)
    expect((await camille.post('/admin/account/totp/recovery', { password: PASSWORD, code: codes[1]!, _csrf: csrfToken(account.body) })).statusCode).toBe(401)
    t.clock.advance(30_000)
    const page = await camille.get('/admin/account')
    const badPassword = await camille.post('/admin/account/totp/disable', { password: 'pas le bon mot de passe', code: codeAt(key, t.clock.now()), _csrf: csrfToken(page.body) })
    expect(badPassword.statusCode).toBe(401)
    const done = await camille.post('/admin/account/totp/disable', { password: PASSWORD, code: codeAt(key, t.clock.now()), _csrf: csrfToken(page.body) })
    expect(done.statusCode).toBe(303)
    expect(await count('facilitator_totp')).toBe(0)
    expect(await count('facilitator_recovery_code')).toBe(0)
    expect((await new Client(t.app).login(EMAIL)).headers.location).toBe('/admin')
  })

  it('an administrator resets it; a facilitator cannot', async () => {
    await enrol()
    const camilleId = (await t.db.selectFrom('facilitator').select('id').where('email', '=', EMAIL).executeTakeFirstOrThrow()).id
    expect((await camille.get('/admin/accounts')).statusCode).toBe(403)
    const refused = await camille.post(`/admin/accounts/${camilleId}/totp-reset`, { _csrf: csrfToken((await camille.get('/admin/account')).body) })
    expect(refused.statusCode).toBe(403)
    const adminId = await createFacilitator(t.db, 'admin@test.example.org', [])
    await setAdmin(t.db, adminId)
    const admin = new Client(t.app, {}, '10.0.0.4')
    await admin.login('admin@test.example.org')
    const list = await admin.get('/admin/accounts')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain(EMAIL)
    const reset = await admin.post(`/admin/accounts/${camilleId}/totp-reset`, { _csrf: csrfToken(list.body) })
    expect(reset.statusCode).toBe(303)
    expect(await count('facilitator_totp')).toBe(0)
    const trail = await t.db.selectFrom('audit_event').select(['action', 'subject', 'actor_facilitator_id']).execute()
    expect(trail).toEqual([{ action: 'account.totp-reset', subject: `facilitator:${camilleId}`, actor_facilitator_id: adminId }])
    expect((await new Client(t.app).login(EMAIL)).headers.location).toBe('/admin')
    expect((await admin.post('/admin/accounts/999999/totp-reset', { _csrf: csrfToken(list.body) })).statusCode).toBe(404)
  })

  it('an administrator requires it on a platform: its facilitators are logged out and enrol at their next login', async () => {
    const adminId = await createFacilitator(t.db, 'admin@test.example.org', [])
    await setAdmin(t.db, adminId)
    const admin = new Client(t.app, {}, '10.0.0.5')
    await admin.login('admin@test.example.org')
    const list = await admin.get('/admin/accounts')
    expect(list.body).toContain('L’exiger sur Plateforme test')
    const bad = await admin.post(`/admin/platforms/${p.slug}/two-factor`, { require: 'peut-être', _csrf: csrfToken(list.body) })
    expect(bad.statusCode).toBe(400)
    const required = await admin.post(`/admin/platforms/${p.slug}/two-factor`, { require: 'yes', _csrf: csrfToken(list.body) })
    expect(required.headers.location).toBe('/admin/accounts?done=required')
    const trail = await t.db.selectFrom('audit_event').select(['action', 'platform_id', 'detail']).execute()
    expect(trail).toEqual([{ action: 'platform.totp-required', platform_id: p.id, detail: JSON.stringify({ required: 1, logged_out: 1 }) }])
    // Camille's open login has ended.
    expect((await camille.get('/admin/account')).statusCode).toBe(303)

    const browser = new Client(t.app, {}, '10.0.0.6')
    expect((await browser.login(EMAIL)).headers.location).toBe('/login/totp-setup')
    expect((await browser.get('/admin')).statusCode).toBe(303)
    const setup = await browser.get('/login/totp-setup')
    expect(setup.statusCode).toBe(200)
    expect(setup.body).toContain('exige la double authentification')
    const key = /<code class="totp-key">([A-Z2-7 ]+)<\/code>/.exec(setup.body)![1]!.replace(/ /g, '')
    const enrolment = /name="enrolment" value="([^"]+)"/.exec(setup.body)![1]!
    const wrong = await browser.post('/login/totp-setup', { enrolment, code: '12345', _csrf: csrfToken(setup.body) })
    expect(wrong.statusCode).toBe(400)
    expect(await count('facilitator_totp')).toBe(0)
    const done = await browser.post('/login/totp-setup', { enrolment, code: codeAt(key, t.clock.now()), _csrf: csrfToken(setup.body) })
    expect(done.statusCode).toBe(200)
    expect([...done.body.matchAll(/<li><code>/g)]).toHaveLength(10)
    const account = await browser.get('/admin/account')
    expect(account.statusCode).toBe(200)
    expect(account.body).toContain("Une plateforme que vous animez l'exige")
    const off = await browser.post('/admin/account/totp/disable', { password: PASSWORD, code: '000000', _csrf: csrfToken(account.body) })
    expect(off.statusCode).toBe(409)
    expect(await count('facilitator_totp')).toBe(1)
    // From now on the login asks the code.
    expect((await new Client(t.app, {}, '10.0.0.7').login(EMAIL)).headers.location).toBe('/login/code')
  })

  it('an account added, while logged in without it, to a platform that requires it enrols before any page of that platform', async () => {
    const strict = await createPlatform(t.db, { slug: 'exigeante', name: 'Plateforme exigeante', require_totp: 1 })
    const id = await createAccountToken(t.db, t.config.sessionSecret, { purpose: 'invitation', facilitatorId: null, platformId: strict.id, email: EMAIL, name: 'Camille' }, t.clock.now())
    // Camille's own account joins the platform from the invitation, in the browser where she is logged in.
    const joined = await camille.submit(`/invitation/${linkToken(t.config, 'facilitator-invitation', id).token}`, {})
    expect(joined.statusCode).toBe(200)
    expect(joined.body).toContain('Vous avez rejoint l’équipe')
    // Her open login keeps the platform that does not require it…
    expect((await camille.get('/admin/p/test')).statusCode).toBe(200)
    // …but every page of the other one sends her to enrol first, a write too (nothing written).
    const enrolment = '/admin/account/totp?plateforme=exigeante'
    for (const path of ['/admin/p/exigeante', '/admin/p/exigeante/partners', '/admin/p/exigeante/courriers']) {
      const res = await camille.get(path)
      expect([path, res.statusCode, res.headers.location]).toEqual([path, 303, enrolment])
    }
    const form = await camille.get(enrolment)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('La plateforme « Plateforme exigeante » exige la double authentification : activez-la pour ouvrir ses pages.')
    const write = await camille.post('/admin/p/exigeante/partners', { name: 'Association Relais', kind: 'association', _csrf: csrfToken(form.body) })
    expect([write.statusCode, write.headers.location]).toEqual([303, enrolment])
    expect(await t.db.selectFrom('partner').select('id').execute()).toEqual([])
    // Another platform's name is never shown from the query string.
    expect((await camille.get('/admin/account/totp?plateforme=ailleurs')).body).not.toContain('exige la double authentification : activez-la pour ouvrir')
    await enrol()
    expect((await camille.get('/admin/p/exigeante')).statusCode).toBe(200)
    expect((await camille.get('/admin/p/exigeante/courriers')).statusCode).toBe(200)
  })

  it('a colleague invited to a platform that requires it enrols right after choosing a password', async () => {
    await setTotpRequired(t.db, p.id, true, t.clock.now().toISOString())
    const id = await createAccountToken(t.db, t.config.sessionSecret, { purpose: 'invitation', facilitatorId: null, platformId: p.id, email: 'dominique@test.example.org', name: 'Dominique' }, t.clock.now())
    const link = `/invitation/${linkToken(t.config, 'facilitator-invitation', id).token}`
    const dominique = new Client(t.app, {}, '10.0.0.8')
    const accepted = await dominique.submit(link, { password: 'mon mot de passe choisi', confirm: 'mon mot de passe choisi' })
    expect(accepted.statusCode).toBe(303)
    expect(accepted.headers.location).toBe('/login/totp-setup')
    expect(dominique.cookies.has('fabrik_login')).toBe(false)
    expect((await dominique.get('/admin/p/test')).statusCode).toBe(303)
    expect((await dominique.get('/login/totp-setup')).statusCode).toBe(200)
  })
})
