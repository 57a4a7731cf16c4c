import { Writable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { pitchToken } from '../../src/pitches/booking.js'
import { createReferral, referralToken } from '../../src/referrals/store.js'
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

  it('a partner’s referral link (/referrals/{token}) neither: not logged, not cached, no referrer, altered is 404', async () => {
    temp = await tempDatabase()
    let logs = ''
    const stream = new Writable({ write(chunk, _enc, cb) { logs += chunk.toString(); cb() } })
    const config = testConfig(temp.dataDir, { databaseUrl: temp.databaseUrl, logLevel: 'trace' })
    const app = await buildApp({ config, db: temp.db, clock: new TestClock(new Date(DEFAULT_NOW)).now, logger: true, logStream: stream })
    await seedDemo({ db: temp.db, uidHost: 'fabrik.test', now: new Date(DEFAULT_NOW) })
    await seedDemoPitches(app.ctx)
    await seedDemoPartners(app.ctx)
    const pitch = await temp.db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['pitch.id', 'pitch.initiative_id', 'session.platform_id']).orderBy('pitch.id').executeTakeFirstOrThrow()
    // A referral goes to an organisation of the pitch's own platform (the demo has two).
    const partner = await temp.db.selectFrom('partner').select('id').where('platform_id', '=', pitch.platform_id).orderBy('id').executeTakeFirstOrThrow()
    const id = await temp.db.transaction().execute((trx) => createReferral(trx, app.ctx, {
      pitchId: pitch.id, initiativeId: pitch.initiative_id, partnerId: partner.id, contactId: null, subject: 'Aide', followUpOn: null, shareContact: false, createdBy: null,
    }, DEFAULT_NOW))
    const token = referralToken(config.sessionSecret, { id, token_version: 1 })
    const ok = await app.inject(`/referrals/${token}`)
    expect(ok.statusCode).toBe(200)
    expect(ok.headers['cache-control']).toMatch(/no-store|private/)
    expect(ok.headers['referrer-policy']).toBe('no-referrer')
    expect((await app.inject(`/referrals/${token.slice(0, -1)}A`)).statusCode).toBe(404)
    expect((await app.inject(`/referrals/${token.slice(0, 30)}`)).statusCode).toBe(404)
    await app.inject({ method: 'POST', url: `/referrals/${token}`, payload: 'status=contacted', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    await app.close()
    expect(logs).not.toContain(token)
    expect(logs).not.toContain(token.slice(0, 20))
  })
})
