import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { upsertHolder } from '../../src/pitches/store.js'
import { buildTestApp, Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'

// "Données personnelles": a facilitator finds a person, exports and erases them, each confirmed by typing the
// address again (a wrong one re-renders the form, 400, filled in, nothing done), only on their own platform,
// and reads the audit trail, which never shows the person's data.

const PAGE = '/admin/p/test/donnees-personnelles'

describe('the facilitator\'s personal data pages', () => {
  let t: TestApp
  let admin: Client
  beforeEach(async () => {
    t = await buildTestApp()
    const platform = await createPlatform(t.db)
    const other = await createPlatform(t.db, { slug: 'autre', name: 'Autre' })
    const now = t.clock.now().toISOString()
    for (const p of [platform, other]) {
      await upsertHolder(t.db, p.id, { name: 'Nadia Benali', email: 'nadia.benali@example.org', phone: '0612345678', kind: 'resident', commune_id: null }, now)
    }
    admin = await facilitatorClient(t.app, t.db, [platform.id])
  })
  afterEach(() => t.close())

  const holders = () => t.db.selectFrom('holder').select(['platform_id', 'name']).orderBy('platform_id').execute()

  it('finds, exports and erases a person of this platform only, and logs each action without their data', async () => {
    const search = await admin.submit(PAGE, { q: 'benali' }, `${PAGE}/recherche`)
    expect(search.statusCode).toBe(200)
    expect(search.body).toContain('nadia.benali@example.org')

    const mismatch = await admin.submit(PAGE, { export_email: 'nadia.benali@example.org', export_confirm: 'nadia@example.org' }, `${PAGE}/export`)
    expect(mismatch.statusCode).toBe(400)
    expect(mismatch.body).toContain('Recopiez exactement la même adresse')
    expect(mismatch.body).toContain('value="nadia@example.org"')

    const file = await admin.submit(PAGE, { export_email: 'nadia.benali@example.org', export_confirm: 'Nadia.Benali@example.org' }, `${PAGE}/export`)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="donnees-test-/)
    const doc = JSON.parse(file.body)
    expect(doc.tables.holder).toHaveLength(1)
    expect(doc.tables.holder[0]).toMatchObject({ name: 'Nadia Benali', phone: '0612345678' })

    const refused = await admin.submit(PAGE, { erase_email: 'nadia.benali@example.org', erase_confirm: '' }, `${PAGE}/effacer`)
    expect(refused.statusCode).toBe(400)
    expect((await holders()).map((h) => h.name)).toEqual(['Nadia Benali', 'Nadia Benali'])

    const erased = await admin.submit(PAGE, { erase_email: 'nadia.benali@example.org', erase_confirm: 'nadia.benali@example.org' }, `${PAGE}/effacer`)
    expect(erased.statusCode).toBe(303)
    expect(erased.headers.location).toBe(`${PAGE}?ok=efface`)
    // The other platform's holder with the same address is not this facilitator's to erase.
    expect((await holders()).map((h) => h.name)).toEqual(['Personne effacée', 'Nadia Benali'])

    const journal = await admin.get(`${PAGE}/journal`)
    expect(journal.statusCode).toBe(200)
    expect(journal.body.match(/data-action="/g)).toHaveLength(3)
    expect(journal.body).toContain('data-action="person.erase"')
    expect(journal.body).not.toContain('nadia')
    expect(journal.body).not.toContain('Benali')
    const audit = await t.db.selectFrom('audit_event').selectAll().execute()
    expect(audit.every((a) => a.actor_kind === 'facilitator' && a.address === '127.0.0.1')).toBe(true)
    expect(JSON.stringify(audit)).not.toMatch(/nadia|benali|0612345678/i)
  })

  it('refuses the pages of a platform one does not run (404) and a POST without its CSRF token (403)', async () => {
    expect((await admin.get('/admin/p/autre/donnees-personnelles')).statusCode).toBe(404)
    const token = csrfToken((await admin.get(PAGE)).body)
    expect((await admin.post('/admin/p/autre/donnees-personnelles/effacer', { _csrf: token, erase_email: 'nadia.benali@example.org', erase_confirm: 'nadia.benali@example.org' })).statusCode).toBe(404)
    expect((await admin.post(`${PAGE}/effacer`, { erase_email: 'nadia.benali@example.org', erase_confirm: 'nadia.benali@example.org' })).statusCode).toBe(403)
    expect((await new Client(t.app).get(PAGE)).statusCode).toBe(303)
    expect((await holders()).map((h) => h.name)).toEqual(['Nadia Benali', 'Nadia Benali'])
  })
})
