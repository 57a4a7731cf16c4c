import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { pitchToken } from '../../src/pitches/booking.js'
import { personalToken } from '../../src/web/tokens.js'
import { TestClock, testConfig, DEFAULT_NOW } from '../helpers/app.js'
import { tempDatabase, type TempDatabase } from '../helpers/db.js'

// Personal links: never in logs, never cached, never sent on as a referrer; malformed ones are 404.

describe('tokens', () => {
  let temp: TempDatabase
  afterEach(() => temp?.close())

  it('never appear in the logs, whatever the answer', async () => {
    temp = await tempDatabase()
    let logs = ''
    const stream = new Writable({ write(chunk, _enc, cb) { logs += chunk.toString(); cb() } })
    const config = testConfig(temp.dataDir, { databaseUrl: temp.databaseUrl, logLevel: 'trace' })
    const app = await buildApp({ config, db: temp.db, clock: new TestClock(new Date(DEFAULT_NOW)).now, logger: true, logStream: stream })
    await seedDemo({ db: temp.db, uidHost: 'fabrik.test', now: new Date(DEFAULT_NOW) })
    await seedDemoPitches(app.ctx)
    await seedDemoPartners(app.ctx)
    const pitch = await temp.db.selectFrom('pitch').select(['id', 'token_version']).executeTakeFirstOrThrow()
    const inv = await temp.db.selectFrom('invitation').select(['id', 'token_version', 'contact_id']).executeTakeFirstOrThrow()
    const tokens = [
      pitchToken(app.ctx, pitch),
      personalToken(config.sessionSecret, 'rsvp', inv.id, inv.token_version),
      personalToken(config.sessionSecret, 'feed-contact', inv.contact_id),
    ]
    const urls = [`/pitch/${tokens[0]}`, `/rsvp/${tokens[1]}`, `/feeds/${tokens[2]}.ics`, `/pitch/${tokens[0]!.slice(0, -1)}A`, `/rsvp/${tokens[1]!.slice(0, 30)}`]
    for (const [i, url] of urls.entries()) {
      const res = await app.inject(url)
      if (i < 3) {
        expect(res.statusCode, url).toBe(200)
        expect(res.headers['cache-control'], url).toMatch(/no-store|private/)
        expect(res.headers['referrer-policy'], url).toBe('no-referrer')
      } else {
        expect(res.statusCode, url).toBe(404)
      }
      await app.inject({ method: 'POST', url, payload: 'answer=on_site', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    }
    await app.close()
    expect(logs.length).toBeGreaterThan(0)
    for (const token of tokens) {
      expect(logs).not.toContain(token)
      expect(logs).not.toContain(token.slice(0, 20))
    }
  })
})
