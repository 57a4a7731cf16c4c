import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withLinks } from '../../src/mail/links.js'
import { FORGOT_ANSWER, passwordErrors } from '../../src/platforms/login-routes.js'
import { tokenState } from '../../src/platforms/accounts.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, PASSWORD, type TestApp } from '../helpers/app.js'

const NEW_PASSWORD = 'un tout nouveau mot de passe'

describe('tokenState and passwordErrors', () => {
  it('tells unknown, used, expired and valid apart', () => {
    const now = '2026-11-23T10:00:00.000Z'
    expect(tokenState(undefined, now)).toBe('unknown')
    expect(tokenState({ used_at: '2026-11-23T09:30:00.000Z', expires_at: '2026-11-23T11:00:00.000Z' }, now)).toBe('used')
    expect(tokenState({ used_at: null, expires_at: now }, now)).toBe('expired')
    expect(tokenState({ used_at: null, expires_at: '2026-11-23T10:00:00.001Z' }, now)).toBe('valid')
  })
  it('wants 12 characters and the same twice', () => {
    expect(passwordErrors('court', 'court')).toEqual({ password: 'Le mot de passe doit compter au moins 12 caractères.' })
    expect(passwordErrors(NEW_PASSWORD, 'autre chose encore')).toEqual({ confirm: 'Les deux mots de passe ne sont pas identiques.' })
    expect(passwordErrors(NEW_PASSWORD, NEW_PASSWORD)).toBeNull()
  })
})

describe('Mot de passe oublié', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [p.id])
  })
  afterEach(() => t.close())

  async function resetMails() {
    return t.db.selectFrom('outbox').selectAll().where('kind', '=', 'facilitator.reset').orderBy('id').execute()
  }

  /** The link of the latest reset mail, as it leaves (the stored body holds only a reference). */
  async function resetLink(): Promise<string> {
    const rows = await resetMails()
    const row = rows.at(-1)!
    expect(row.text_body).not.toContain('/login/reset/')
    const sent = withLinks(row, t.config)
    const url = /http:\/\/fabrik\.test(\/login\/reset\/[A-Za-z0-9_-]{43})/.exec(sent.text_body)![1]!
    expect(sent.html_body).toContain(`href="http://fabrik.test${url}"`)
    return url
  }

  it('answers the same whether or not the address exists, and mails only an existing account', async () => {
    const c = new Client(t.app)
    expect((await c.get('/login')).body).toContain('href="/login/forgot"')
    const known = await c.submit('/login/forgot', { email: 'Camille@test.example.org' })
    const unknown = await c.submit('/login/forgot', { email: 'personne@test.example.org' })
    expect(known.statusCode).toBe(200)
    expect(unknown.statusCode).toBe(200)
    const answer = (body: string) => body.replace(/name="_csrf" value="[^"]*"/g, '')
    expect(answer(known.body)).toBe(answer(unknown.body))
    expect(known.body).toContain(FORGOT_ANSWER.replace(/'/g, '&#39;'))
    const mails = await resetMails()
    expect(mails).toHaveLength(1)
    expect(mails[0]!.to_email).toBe('camille@test.example.org')
    expect(mails[0]!.platform_id).toBeNull()
    expect(mails[0]!.subject).toContain('mot de passe')
    // Only the hash of the token is stored.
    const token = (await resetLink()).split('/').at(-1)!
    const stored = await t.db.selectFrom('facilitator_token').selectAll().execute()
    expect(stored).toHaveLength(1)
    expect(JSON.stringify(stored)).not.toContain(token)
  })

  it('re-renders a missing address with a French message (400)', async () => {
    const c = new Client(t.app)
    const res = await c.submit('/login/forgot', { email: 'pas une adresse' })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Indiquez votre adresse e-mail')
    expect(res.body).toContain('value="pas une adresse"')
    expect(await resetMails()).toHaveLength(0)
  })

  it('resets the password once: old sessions end, the old password fails, the link then answers 410', async () => {
    const old = new Client(t.app)
    await old.login('camille@test.example.org')
    expect((await old.get('/admin/p/test')).statusCode).toBe(200)

    const c = new Client(t.app)
    await c.submit('/login/forgot', { email: 'camille@test.example.org' })
    const link = await resetLink()
    const form = await c.get(link)
    expect(form.statusCode).toBe(200)
    expect(form.headers['cache-control']).toBe('no-store')
    expect(form.body).toContain('camille@test.example.org')

    const short = await c.post(link, { password: 'court', confirm: 'court', _csrf: csrfToken(form.body) })
    expect(short.statusCode).toBe(400)
    expect(short.body).toContain('au moins 12 caractères')
    const different = await c.post(link, { password: NEW_PASSWORD, confirm: 'autre chose encore', _csrf: csrfToken(form.body) })
    expect(different.statusCode).toBe(400)
    expect(different.body).toContain('pas identiques')
    expect((await old.get('/admin/p/test')).statusCode).toBe(200)

    const done = await c.post(link, { password: NEW_PASSWORD, confirm: NEW_PASSWORD, _csrf: csrfToken(form.body) })
    expect(done.statusCode).toBe(200)
    expect(done.body).toContain('Votre mot de passe est changé')
    // Every login of the account ended.
    const replay = await old.get('/admin/p/test')
    expect(replay.statusCode).toBe(303)
    expect(replay.headers.location).toMatch(/^\/login\?next=/)
    expect(await t.db.selectFrom('login').selectAll().execute()).toHaveLength(0)

    const again = new Client(t.app)
    expect((await again.submit('/login', { email: 'camille@test.example.org', password: PASSWORD })).statusCode).toBe(401)
    await again.login('camille@test.example.org', NEW_PASSWORD)
    expect((await again.get('/admin/p/test')).statusCode).toBe(200)

    // Single use.
    const used = await c.get(link)
    expect(used.statusCode).toBe(410)
    expect(used.body).toContain('déjà servi')
    expect((await c.post(link, { password: 'encore un autre mot', confirm: 'encore un autre mot', _csrf: csrfToken(form.body) })).statusCode).toBe(410)
  })

  it('ends after one hour (410), answers 404 to an unknown or malformed token', async () => {
    const c = new Client(t.app)
    await c.submit('/login/forgot', { email: 'camille@test.example.org' })
    const link = await resetLink()
    t.clock.advance(59 * 60_000)
    expect((await c.get(link)).statusCode).toBe(200)
    t.clock.advance(60_000)
    const expired = await c.get(link)
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('n&#39;est plus valable')
    const unknown = await c.get(`/login/reset/${'A'.repeat(43)}`)
    expect(unknown.statusCode).toBe(404)
    expect((await c.get('/login/reset/court')).statusCode).toBe(404)
    expect((await c.post(`/login/reset/${'A'.repeat(43)}`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).statusCode).toBe(404)
  })

  it('mails an address at most three times an hour, with the same answer after', async () => {
    const c = new Client(t.app)
    for (let i = 0; i < 5; i++) {
      const res = await c.submit('/login/forgot', { email: 'camille@test.example.org' })
      expect(res.statusCode).toBe(200)
      expect(res.body).toContain('un lien pour changer le mot de passe vient de lui être envoyé')
    }
    expect(await resetMails()).toHaveLength(3)
  })

  it('limits the requests of one client address (French 429)', async () => {
    const c = new Client(t.app)
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) statuses.push((await c.submit('/login/forgot', { email: `x${i}@test.example.org` })).statusCode)
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true)
    expect(statuses[10]).toBe(429)
  })
})
