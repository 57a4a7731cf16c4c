import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedDemo, seedDemoPitches } from '../../src/demo/seed.js'
import { setAdminRole } from '../../src/platforms/accounts.js'
import { holderFeedToken } from '../../src/pitches/links.js'
import { setAdmin, setArchived } from '../../src/platforms/store.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, type TestApp } from '../helpers/app.js'
import { linkToken } from '../helpers/factories.js'

describe('the administrator role', () => {
  let t: TestApp
  let admin: Client
  let adminId: number
  let camilleId: number
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db)
    adminId = await createFacilitator(t.db, 'admin@test.example.org', [])
    await setAdmin(t.db, adminId)
    camilleId = await createFacilitator(t.db, 'camille@test.example.org', [p.id])
    admin = new Client(t.app, {}, '10.2.0.1')
    await admin.login('admin@test.example.org')
  })
  afterEach(() => t.close())

  const isAdmin = async (id: number) => (await t.db.selectFrom('facilitator').select('admin').where('id', '=', id).executeTakeFirstOrThrow()).admin === 1

  it('is given and taken back from the Comptes page, never from the last administrator', async () => {
    const list = await admin.get('/admin/accounts')
    expect(list.body).toContain('Plateforme test')
    const lastOne = await admin.post(`/admin/accounts/${adminId}/role`, { role: 'facilitator', _csrf: csrfToken(list.body) })
    expect(lastOne.statusCode).toBe(409)
    expect(lastOne.body).toContain('dernier administrateur')
    expect(await isAdmin(adminId)).toBe(true)
    expect((await admin.post(`/admin/accounts/${camilleId}/role`, { role: 'chef', _csrf: csrfToken(list.body) })).statusCode).toBe(400)
    const promoted = await admin.post(`/admin/accounts/${camilleId}/role`, { role: 'admin', _csrf: csrfToken(list.body) })
    expect(promoted.headers.location).toBe('/admin/accounts?done=admin')
    expect(await isAdmin(camilleId)).toBe(true)
    expect(await t.db.selectFrom('audit_event').select(['action', 'subject']).execute()).toEqual([{ action: 'account.role', subject: `facilitator:${camilleId}` }])
    // Giving up one's own role leaves the administrators' pages.
    const self = await admin.post(`/admin/accounts/${adminId}/role`, { role: 'facilitator', _csrf: csrfToken(list.body) })
    expect(self.headers.location).toBe('/admin')
    expect((await admin.get('/admin/accounts')).statusCode).toBe(403)
    expect(await setAdminRole(t.db, camilleId, false)).toBe('last-admin')
  })

  it('a facilitator cannot change roles', async () => {
    const camille = new Client(t.app, {}, '10.2.0.2')
    await camille.login('camille@test.example.org')
    const page = await camille.get('/admin/account')
    expect((await camille.post(`/admin/accounts/${camilleId}/role`, { role: 'admin', _csrf: csrfToken(page.body) })).statusCode).toBe(403)
    expect(await isAdmin(camilleId)).toBe(false)
  })
})

describe("an archived platform's personal links", () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
    await seedDemoPitches(t.app.ctx)
  })
  afterEach(() => t.close())

  it('answer 410 with the French page while it is archived, and open again once restored', async () => {
    const pitch = await t.db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id')
      .select(['pitch.id', 'pitch.token_version', 'pitch.holder_id', 'session.platform_id']).orderBy('pitch.id').executeTakeFirstOrThrow()
    const platform = { id: pitch.platform_id }
    const holder = await t.db.selectFrom('holder').select(['id', 'feed_version']).where('id', '=', pitch.holder_id).executeTakeFirstOrThrow()
    const links = [`/pitch/${linkToken(t.config, 'pitch', pitch.id, pitch.token_version).token}`, `/feeds/${holderFeedToken(t.app.ctx, holder)}.ics`]
    const client = new Client(t.app)
    for (const link of links) expect((await client.get(link)).statusCode).toBe(200)
    await setArchived(t.db, platform.id, true, t.clock.now().toISOString())
    for (const link of links) {
      const gone = await client.get(link)
      expect(gone.statusCode).toBe(410)
      expect(gone.body).toContain('Plateforme fermée')
      expect(gone.body).toContain("n&#39;est plus publiée")
    }
    await setArchived(t.db, platform.id, false, t.clock.now().toISOString())
    for (const link of links) expect((await client.get(link)).statusCode).toBe(200)
  })
})
