import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { seedPartners } from '../../src/partners/store.js'
import { GUESSES_PER_MINUTE, retireLink } from '../../src/web/personal-links.js'
import { hashToken, personalToken } from '../../src/web/tokens.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'

// Every personal link opens through web/personal-links.ts. Shown here on the feed link (the RSVP and pitch
// links have their own tests of the same opener): real links are never limited, whatever their number from
// one address; guesses are; a replaced link answers 410.

const T0 = '2026-11-01T00:00:00.000Z'
const OFFICE = '203.0.113.7' // one organisation's whole staff, its mail scanner and a calendar service

describe('personal links: one opener, guesses counted, valid links never', () => {
  let t: TestApp
  let p: Platform
  let tokens: string[]

  beforeEach(async () => {
    t = await buildTestApp({ config: { trustProxy: '127.0.0.1' } })
    p = await createPlatform(t.db, { slug: 'lens' })
    const contacts = Array.from({ length: 100 }, (_, i) => ({ name: `Personne ${i}`, email: `p${i}@caf.example.org` }))
    await seedPartners(t.db, p.id, [{ name: 'CAF', kind: 'public_body', themes: ['famille'], contacts }], T0)
    const rows = await t.db.selectFrom('contact').select('id').orderBy('id').execute()
    tokens = []
    for (const row of rows) {
      const token = personalToken(t.config.sessionSecret, 'feed-contact', row.id)
      await t.db.updateTable('contact').set({ feed_token_hash: hashToken(token) }).where('id', '=', row.id).execute()
      tokens.push(token)
    }
  })
  afterEach(() => t.close())

  const get = (url: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, headers: { 'x-forwarded-for': OFFICE, ...headers } })
  const guess = (i: number) => `/feeds/${'A'.repeat(40)}${String(i).padStart(3, '0')}.ics`

  it('answers 100 valid feeds, each polled twice (200 then 304), from one address', async () => {
    for (const token of tokens) {
      const first = await get(`/feeds/${token}.ics`)
      expect(first.statusCode).toBe(200)
      const again = await get(`/feeds/${token}.ics`, { 'if-none-match': String(first.headers.etag) })
      expect(again.statusCode).toBe(304)
    }
  })

  it('limits an address that guesses, and then answers it 429 even for a real link', async () => {
    const answers: number[] = []
    for (let i = 0; i < 200; i++) answers.push((await get(guess(i))).statusCode)
    expect(answers.slice(0, GUESSES_PER_MINUTE).every((s) => s === 404)).toBe(true)
    expect(answers.slice(GUESSES_PER_MINUTE + 1).every((s) => s === 429)).toBe(true)
    const real = await get(`/feeds/${tokens[0]}.ics`)
    expect(real.statusCode).toBe(429)
    expect(real.headers['retry-after']).toBeDefined()
    expect(real.body).toContain('réessayez')
    // Another address is not slowed down by this one's guesses.
    expect((await get(`/feeds/${tokens[0]}.ics`, { 'x-forwarded-for': '198.51.100.9' })).statusCode).toBe(200)
  })

  it('answers 410 with a French page for a replaced link, and does not count it as a guess', async () => {
    await retireLink(t.db, { hash: hashToken(tokens[1]!), purpose: 'feed', platformId: p.id, reason: 'replaced' }, T0)
    await t.db.updateTable('contact').set({ feed_token_hash: null }).where('feed_token_hash', '=', hashToken(tokens[1]!)).execute()
    for (let i = 0; i < GUESSES_PER_MINUTE + 5; i++) {
      const gone = await get(`/feeds/${tokens[1]}.ics`)
      expect(gone.statusCode).toBe(410)
      expect(gone.body).toContain('remplacé')
    }
    expect((await get(`/feeds/${tokens[0]}.ics`)).statusCode).toBe(200)
  })

  it('answers 404 to a retired hash of another kind of link', async () => {
    await retireLink(t.db, { hash: hashToken(tokens[2]!), purpose: 'rsvp', platformId: p.id, reason: 'replaced' }, T0)
    await t.db.updateTable('contact').set({ feed_token_hash: null }).where('feed_token_hash', '=', hashToken(tokens[2]!)).execute()
    expect((await get(`/feeds/${tokens[2]}.ics`)).statusCode).toBe(404)
  })
})
