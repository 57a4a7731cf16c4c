import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { noticeFor } from '../../src/privacy/notice.js'
import { buildTestApp, Client, createPlatform, type TestApp } from '../helpers/app.js'

// The privacy notice: who is responsible, what is kept, how long, the rights, and the authority of the
// platform's country; linked from the footer of the platform's pages; 410 once the platform is archived.

describe('the privacy notice', () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  it('names the structure, its contact, the retention and the CNIL (France) or the APD (Belgium)', async () => {
    await createPlatform(t.db)
    await createPlatform(t.db, { slug: 'lux', name: 'Province de Luxembourg', country: 'BE', timezone: 'Europe/Brussels' })
    const fr = await new Client(t.app).get('/test/confidentialite')
    expect(fr.statusCode).toBe(200)
    expect(fr.body).toContain('Plateforme test (Animatrice Test) est responsable')
    expect(fr.body).toContain('mailto:animation@test.example.org')
    expect(fr.body).toContain('36 mois après votre dernière activité')
    expect(fr.body).toContain('(CNIL)')
    expect((await new Client(t.app).get('/lux/confidentialite')).body).toContain('(APD)')
    expect((await new Client(t.app).get('/test')).body).toContain('href="/test/confidentialite"')
    expect((await new Client(t.app).get('/nulle-part/confidentialite')).statusCode).toBe(404)
    await t.db.updateTable('platform').set({ archived_at: t.clock.now().toISOString() }).where('slug', '=', 'lux').execute()
    expect((await new Client(t.app).get('/lux/confidentialite')).statusCode).toBe(410)
  })

  it('falls back to a generic authority for a country it does not know', () => {
    expect(noticeFor({ name: 'P', contact_name: null, contact_email: 'a@b.org', contact_phone: null, country: 'CH' }).authority).toBeNull()
  })
})
