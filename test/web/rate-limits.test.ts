import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { retryDelay } from '../../src/web/errors.js'
import { countGuess, GUESSES_PER_MINUTE, isGuessing, tooManyGuesses } from '../../src/web/guess-limit.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, DEFAULT_NOW, TestClock, type TestApp, testConfig } from '../helpers/app.js'
import { tempDatabase, type TempDatabase } from '../helpers/db.js'
import { bookingFields, publishedSession } from '../pitches/helpers.js'

// Every limit answers a French page that says when to retry (never a bare 429), and the guess limiter counts
// failed look-ups only.

describe('retryDelay', () => {
  it('says when to retry in words', () => {
    expect(retryDelay(1)).toBe('dans 1 seconde')
    expect(retryDelay(0)).toBe('dans 1 seconde')
    expect(retryDelay(42.2)).toBe('dans 43 secondes')
    expect(retryDelay(89)).toBe('dans 89 secondes')
    expect(retryDelay(90)).toBe('dans 2 minutes')
    expect(retryDelay(600)).toBe('dans 10 minutes')
    expect(retryDelay(7200)).toBe('dans 2 heures')
  })
})

describe('the guess limiter', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    // A stand-in for a personal link: "good" is held by someone, anything else is a guess.
    t.app.get('/test-link/:token', async (request, reply) => {
      const wait = await isGuessing(request)
      if (wait !== null) return tooManyGuesses(request, reply, wait)
      if ((request.params as { token: string }).token === 'good') return 'ok'
      await countGuess(request)
      return reply.code(404).send('inconnu')
    })
  })
  afterEach(() => t.close())

  const open = (token: string, remoteAddress = '203.0.113.7') => t.app.inject({ url: `/test-link/${token}`, remoteAddress })

  it('never counts a valid look-up: 200 from one address all answer', async () => {
    for (let i = 0; i < 200; i++) expect((await open('good')).statusCode).toBe(200)
  })

  it('slows down an address that guesses, even on a right token; other addresses go on', async () => {
    const codes: number[] = []
    for (let i = 0; i < 200; i++) codes.push((await open(`guess${i}`)).statusCode)
    expect(codes.slice(0, GUESSES_PER_MINUTE)).toEqual(Array(GUESSES_PER_MINUTE).fill(404))
    expect(codes.slice(GUESSES_PER_MINUTE).every((c) => c === 429)).toBe(true)
    const right = await open('good')
    expect(right.statusCode).toBe(429)
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0)
    expect(Number(right.headers['retry-after'])).toBeLessThanOrEqual(60)
    expect(right.headers['cache-control']).toBe('no-store')
    expect(right.headers['content-type']).toContain('text/html')
    expect(right.body).toContain('Trop de tentatives')
    expect(right.body).toMatch(/réessayez dans \d+ secondes\./)
    expect((await open('good', '203.0.113.8')).statusCode).toBe(200)
  })

  it('counts an IPv6 client by its /64, as the other limits do', async () => {
    for (let i = 0; i < GUESSES_PER_MINUTE; i++) await open(`guess${i}`, `2001:db8:1:2::${i + 1}`)
    expect((await open('good', '2001:db8:1:2::ffff')).statusCode).toBe(429)
    expect((await open('good', '2001:db8:1:3::1')).statusCode).toBe(200)
  })

  it('lets everything through with RATE_LIMITS=off', async () => {
    await t.close()
    t = await buildTestApp({ config: { rateLimits: false } })
    t.app.get('/test-link/:token', async (request, reply) => {
      const wait = await isGuessing(request)
      if (wait !== null) return tooManyGuesses(request, reply, wait)
      await countGuess(request)
      return reply.code(404).send('inconnu')
    })
    for (let i = 0; i < 50; i++) expect((await open(`guess${i}`)).statusCode).toBe(404)
  })
})

describe('the 429 page of the plugin limits', () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  it('login: French, with Retry-After and when to retry', async () => {
    const p = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [p.id])
    const c = new Client(t.app)
    const token = csrfToken((await c.get('/login')).body)
    let res
    for (let i = 0; i < 11; i++) res = await c.post('/login', { email: 'camille@test.example.org', password: 'wrong wrong wrong', _csrf: token })
    expect(res!.statusCode).toBe(429)
    expect(Number(res!.headers['retry-after'])).toBeGreaterThan(0)
    expect(res!.headers['content-type']).toContain('text/html')
    expect(res!.body).toContain('<html lang="fr">')
    expect(res!.body).toMatch(/Réessayez dans \d+ secondes\./)
  })

  it('unknown URLs: 120 a minute per address, then the French page', async () => {
    const codes: number[] = []
    for (let i = 0; i < 121; i++) codes.push((await t.app.inject({ url: `/nothing/here/${i}`, remoteAddress: '203.0.113.9' })).statusCode)
    expect(codes.slice(0, 120).every((c) => c === 404)).toBe(true)
    const res = await t.app.inject({ url: '/nothing/else', remoteAddress: '203.0.113.9' })
    expect(res.statusCode).toBe(429)
    expect(res.body).toMatch(/Réessayez dans \d+ secondes\./)
    expect((await t.app.inject({ url: '/nothing/else', remoteAddress: '203.0.113.10' })).statusCode).toBe(404)
  })
})

describe('the public booking POST, counted per address and per form', () => {
  let t: TestApp
  const FORM = '/test/sessions/2026-12-18/pitch'
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db)
    await publishedSession(t.db, p)
  })
  afterEach(() => t.close())

  it("never stops a social centre's front desk booking residents one after another from one address", async () => {
    // One browser at the desk, a fresh form for each resident; some forms sent twice after a mistake.
    const desk = new Client(t.app, {}, '198.51.100.20')
    for (let i = 0; i < 25; i++) {
      const page = await desk.get(FORM)
      expect(page.statusCode).toBe(200)
      if (i % 3 === 0) expect((await desk.post(FORM, { ...bookingFields(i), holder_email: 'pas-une-adresse', _csrf: csrfToken(page.body) })).statusCode).toBe(400)
      const res = await desk.post(FORM, { ...bookingFields(i), _csrf: csrfToken(page.body) })
      expect(res.statusCode, `resident ${i}`).toBeLessThan(400)
    }
  })

  it('holds one form sent over and over to 10 in 10 minutes, with a French page saying when to retry', async () => {
    const c = new Client(t.app, {}, '198.51.100.21')
    const page = await c.get(FORM)
    const codes: number[] = []
    for (let i = 0; i < 11; i++) codes.push((await c.post(FORM, { ...bookingFields(1), holder_email: 'x', _csrf: csrfToken(page.body) })).statusCode)
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(400))
    const res = await c.post(FORM, { ...bookingFields(1), _csrf: csrfToken(page.body) })
    expect(res.statusCode).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(60)
    expect(res.body).toContain("Trop d&#39;inscriptions ont été envoyées depuis cette adresse")
    expect(res.body).toMatch(/envoyez-le à nouveau dans \d+ minutes\./)
    // A fresh form from the same address goes on.
    expect((await c.submit(FORM, bookingFields(2))).statusCode).toBeLessThan(400)
  })

  it('holds one address to 60 sendings in 10 minutes, whatever the forms, and no other address', async () => {
    const c = new Client(t.app, {}, '198.51.100.22')
    const page = await c.get(FORM)
    const codes: number[] = []
    for (let i = 0; i < 61; i++) {
      // A script that mints a new form token each time: the per-address count still holds it.
      codes.push((await c.post(FORM, { ...bookingFields(i), holder_email: 'x', _csrf: `${csrfToken(page.body)}${i}` })).statusCode)
    }
    expect(codes.slice(0, 60).every((code) => code !== 429)).toBe(true)
    expect(codes[60]).toBe(429)
    expect((await new Client(t.app, {}, '198.51.100.23').submit(FORM, bookingFields(3))).statusCode).toBeLessThan(400)
  })
})

// Several instances on one PostgreSQL share every counter through the rate_limit table: a limit spread over
// two instances holds at the same total, and its window follows the clock of the database rows.
const pg = process.env.FABRIK_TEST_PG_URL
describe.skipIf(!pg)('every limit, shared by two instances on one PostgreSQL', () => {
  let temp: TempDatabase
  let clock: TestClock
  let apps: FastifyInstance[]
  const FORM = '/test/sessions/2026-12-18/pitch'
  const ADDRESS = '198.51.100.40'

  beforeEach(async () => {
    temp = await tempDatabase()
    clock = new TestClock(new Date(DEFAULT_NOW))
    const config = testConfig(temp.dataDir, { databaseUrl: temp.databaseUrl })
    apps = [
      await buildApp({ config, db: temp.connect(), clock: clock.now, logger: false }),
      await buildApp({ config, db: temp.connect(), clock: clock.now, logger: false }),
    ]
    for (const app of apps) {
      app.get('/test-link/:token', async (request, reply) => {
        const wait = await isGuessing(request)
        if (wait !== null) return tooManyGuesses(request, reply, wait)
        await countGuess(request)
        return reply.code(404).send('inconnu')
      })
    }
    const p = await createPlatform(temp.db)
    await publishedSession(temp.db, p)
    await createFacilitator(temp.db, 'camille@test.example.org', [p.id])
  })
  afterEach(async () => {
    for (const app of apps) await app.close()
    await temp.close()
  })

  const inject = (i: number, url: string) => apps[i % 2]!.inject({ url, remoteAddress: ADDRESS })

  it('guesses: GUESSES_PER_MINUTE in all, then 429 on both; a minute later the address may try again', async () => {
    for (let i = 0; i < GUESSES_PER_MINUTE; i++) expect((await inject(i, `/test-link/g${i}`)).statusCode).toBe(404)
    expect((await inject(0, '/test-link/x')).statusCode).toBe(429)
    expect((await inject(1, '/test-link/x')).statusCode).toBe(429)
    // The personal links' own counter is another key: unknown URLs are not slowed by guesses.
    expect((await inject(0, '/nothing/here')).statusCode).toBe(404)
    clock.advance(61_000)
    expect((await inject(1, '/test-link/y')).statusCode).toBe(404)
  })

  it('personal links: a guesser is limited across instances', async () => {
    const codes: number[] = []
    for (let i = 0; i < 30; i++) codes.push((await inject(i, `/pitch/${String(i).padStart(43, 'Z')}`)).statusCode)
    expect(codes.filter((c) => c === 404).length).toBeLessThanOrEqual(GUESSES_PER_MINUTE)
    expect(codes.slice(-5)).toEqual(Array(5).fill(429))
  })

  it('login: 10 attempts a minute in all', async () => {
    const clients = apps.map((app) => new Client(app, {}, ADDRESS))
    const tokens = await Promise.all(clients.map(async (c) => csrfToken((await c.get('/login')).body)))
    const codes: number[] = []
    for (let i = 0; i < 12; i++) codes.push((await clients[i % 2]!.post('/login', { email: 'camille@test.example.org', password: 'wrong wrong wrong', _csrf: tokens[i % 2]! })).statusCode)
    expect(codes.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(codes.slice(10)).toEqual([429, 429])
  })

  it('booking: one form 10 times in all, one address 60 times in all', async () => {
    const clients = apps.map((app) => new Client(app, {}, ADDRESS))
    const token = csrfToken((await clients[0]!.get(FORM)).body)
    clients[1]!.cookies = clients[0]!.cookies // one browser, whose requests land on either instance
    const form: number[] = []
    for (let i = 0; i < 11; i++) form.push((await clients[i % 2]!.post(FORM, { ...bookingFields(1), holder_email: 'x', _csrf: token })).statusCode)
    expect(form.slice(0, 10)).toEqual(Array(10).fill(400))
    expect(form[10]).toBe(429)
    const address: number[] = []
    for (let i = 0; i < 50; i++) address.push((await clients[i % 2]!.post(FORM, { ...bookingFields(i), holder_email: 'x', _csrf: `${token}${i}` })).statusCode)
    expect(address.slice(0, 49).every((c) => c !== 429)).toBe(true)
    expect(address[49]).toBe(429) // 11 + 49 = 60 sendings before it
  })

  it('unknown URLs: 120 a minute in all', async () => {
    for (let i = 0; i < 120; i++) expect((await inject(i, `/nothing/${i}`)).statusCode).toBe(404)
    expect((await inject(0, '/nothing/more')).statusCode).toBe(429)
    expect((await inject(1, '/nothing/more')).statusCode).toBe(429)
  })
})
