import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { bookConfirmed, bookingFields, pitches, publishedSession } from './helpers.js'

// Issue #24 §2: the booking form's contract (CONTRACT.md, "Pitch booking form fields") is enough to book; and
// §6: a holder whose session is cancelled reads it on their page, with another session to choose.

const DATE = '2026-12-18'
const FORM = `/test/sessions/${DATE}/pitch`

/** Exactly the fields CONTRACT.md lists (plus _csrf, added by submit). */
const CONTRACT_FIELDS = {
  holder_name: 'Fatou Sow', holder_email: 'fatou.sow@example.org', holder_phone: '', holder_kind: 'group', commune: 'Harnes',
  initiative_title: 'Repas partagés', initiative_summary: 'Un repas par mois entre voisins, chacun apporte un plat.', consent: 'yes',
}

describe('the booking contract and the holder page', () => {
  let t: TestApp
  let p: Platform
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    await publishedSession(t.db, p)
  })
  afterEach(() => t.close())

  it('a booking with only the contract fields succeeds: no domain, stage or attendance needed', async () => {
    const res = await new Client(t.app).submit(FORM, CONTRACT_FIELDS)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toMatch(/^\/pitch\/[A-Za-z0-9_-]{43}$/)
    const [row] = await pitches(t.db)
    expect(row!.attendance_mode).toBe('on_site')
    expect(row!.public_title).toBe(0)
    const initiative = await t.db.selectFrom('initiative').selectAll().executeTakeFirstOrThrow()
    expect([initiative.domain, initiative.stage, initiative.needs]).toEqual([null, null, ''])
    // The form still offers them, as optional, with a way to say "I don't know".
    const form = (await new Client(t.app).get(FORM)).body
    expect(form).toContain('name="domain"')
    expect(form).toContain('Je ne sais pas / non précisé')
    expect(form).toContain('Je ne sais pas encore')
    expect(form).not.toMatch(/<select id="domain" name="domain" required/)
    // The holder page's edit form takes the same defaults.
    const edit = await new Client(t.app).submit(String(res.headers.location), { action: 'edit', initiative_title: 'Repas partagés du jeudi', initiative_summary: 'Un repas par mois.' })
    expect(edit.statusCode).toBe(303)
    // A value outside the lists is still refused, in French.
    const bad = await new Client(t.app).submit(FORM, { ...CONTRACT_FIELDS, holder_email: 'autre@example.org', domain: 'astrologie', attendance: 'telepathie' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Choisissez un domaine dans la liste.')
    expect(bad.body).toContain('Dites comment vous participerez.')
  })

  it('a cancelled session reads as cancelled on the holder page and in "Mes initiatives", with another session to choose', async () => {
    await publishedSession(t.db, p, '2027-01-29')
    t.clock.set('2026-11-23T09:00:00.000Z')
    const url = await bookConfirmed(t.app, t.db, FORM, bookingFields(1))
    await t.db.updateTable('session').set({ video_url: 'https://visio.example.org/salle-7', mode: 'hybrid' }).where('date', '=', DATE).execute()
    const admin = await facilitatorClient(t.app, t.db, [p.id])
    expect((await admin.submit(`/admin/p/test/sessions/${DATE}`, {}, `/admin/p/test/sessions/${DATE}/cancel`)).statusCode).toBe(303)
    const page = (await t.app.inject(url)).body
    expect(page).toContain('data-status="confirmed"') // the booking itself did not change
    expect(page).toContain('État de votre inscription : <strong class="status status-cancelled" data-status="confirmed">Séance annulée</strong>')
    expect(page).not.toContain('>Confirmée<')
    expect(page).toContain('data-session-cancelled')
    expect(page).toContain('est <strong>annulée</strong>')
    expect(page).not.toContain('https://visio.example.org/salle-7')
    expect(page).toMatch(/Mes initiatives[\s\S]*18\/12\/2026 \(séance annulée\)/)
    // Another session is offered, and moving there works.
    expect(page).toContain('<option value="2027-01-29">')
    expect((await new Client(t.app).submit(url, { action: 'move', session_date: '2027-01-29' })).statusCode).toBe(303)
    expect((await t.app.inject(url)).body).toContain('data-status="confirmed"')
    expect((await t.app.inject(url)).body).not.toContain('data-session-cancelled')
  })
})
