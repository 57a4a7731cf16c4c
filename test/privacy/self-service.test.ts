import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { renderMail } from '../../src/mail/compose.js'
import { purgeOldMail } from '../../src/mail/retention.js'
import { presentSession } from '../../src/sessions/view.js'
import { findSessionById } from '../../src/sessions/store.js'
import { buildTestApp, Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'
import { aBookedPitch, anInvitedContact, aSession, linkToken, outboxRows } from '../helpers/factories.js'
import { settingsValues } from '../helpers/settings.js'

// Tracker 22, what a person sees: the notice the facilitators edited, on the public page and linked from every
// mail's footer, the booking form and the personal links; "Mes données" on the holder's and the partner's
// links mails everything held about them to their own address (once an hour), shows nothing on the page, and
// is logged; sent messages keep their content 90 days.

const HOLDER = 'nadia.benali@example.org'
const CONTACT = 'helene.dupre@caf.example.org'

describe('the notice and "Mes données"', () => {
  let t: TestApp
  let platform: Platform
  let sessionId: number
  let pitchToken: string
  let rsvpToken: string
  beforeEach(async () => {
    t = await buildTestApp()
    platform = await createPlatform(t.db)
    sessionId = await aSession(t.db, platform)
    const booked = await aBookedPitch(t.app.ctx, platform, sessionId, 1, { name: 'Nadia Benali', email: HOLDER, phone: '0612345678' })
    pitchToken = booked.token
    const { invitation } = await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId)
    rsvpToken = linkToken(t.config, 'rsvp', invitation.id).token
  })
  afterEach(() => t.close())

  it('shows the notice the facilitators wrote, and every mail, form and personal link points to it', async () => {
    const anon = new Client(t.app)
    expect((await anon.get('/test/confidentialite')).body).toContain('data-notice="default"')
    const admin = await facilitatorClient(t.app, t.db, [platform.id])
    const form = await admin.get('/admin/p/test/settings')
    // The default is what the facilitator starts from.
    expect(form.body).toContain('## Qui est responsable')
    const saved = await admin.post('/admin/p/test/settings', settingsValues(platform, {
      _csrf: csrfToken(form.body), contact_name: 'Animatrice Test',
      privacy_notice: '## Notre engagement\n\nLa Fabrique garde <b>peu</b> de choses.\n\n- votre nom\n- votre adresse\n\nÉcrivez à dpo@test.example.org ou lisez https://www.cnil.fr/fr/plaintes.',
    }))
    expect(saved.statusCode).toBe(303)
    const notice = (await anon.get('/test/confidentialite')).body
    expect(notice).toContain('data-notice="edited"')
    expect(notice).toContain('<h2>Notre engagement</h2>')
    expect(notice).toContain('La Fabrique garde &lt;b&gt;peu&lt;/b&gt; de choses.')
    expect(notice).toContain('<li>votre nom</li>')
    expect(notice).toContain('<a href="mailto:dpo@test.example.org">dpo@test.example.org</a>')
    expect(notice).toContain('<a href="https://www.cnil.fr/fr/plaintes">https://www.cnil.fr/fr/plaintes</a>')
    expect(notice).not.toContain('Qui est responsable')
    // The settings page shows the text as saved.
    const again = await admin.get('/admin/p/test/settings')
    expect(again.body).toContain('Notre engagement')

    // The booking form, the holder's, the partner's and every mail's footer link the notice.
    const link = 'href="/test/confidentialite"'
    expect((await anon.get('/test/sessions/2026-12-18/pitch')).body).toContain(link)
    expect((await anon.get(`/pitch/${pitchToken}`)).body).toContain(link)
    expect((await anon.get(`/rsvp/${rsvpToken}`)).body).toContain(link)
    const rows = await outboxRows(t.db)
    expect(rows.length).toBeGreaterThan(0)
    const session = presentSession(platform, (await findSessionById(t.db, sessionId))!, t.config.publicUrl, t.clock.now())
    for (const kind of ['session.invitation', 'session.cancelled', 'pitch.confirmed', 'pitch.withdrawn', 'referral.made'] as const) {
      const mail = renderMail(t.app.ctx.views, kind, { platformName: platform.name, recipientName: 'Léa', session, personalUrl: null, referral: { organisation: 'CAF', subject: 'Un local' } })
      expect(mail.text, kind).toContain('Vos données personnelles (ce que nous gardons, vos droits) : http://fabrik.test/test/confidentialite')
      expect(mail.html, kind).toContain('href="http://fabrik.test/test/confidentialite"')
    }
    for (const row of rows) expect(row.text_body, row.kind).toContain('http://fabrik.test/test/confidentialite')
  })

  it('mails the holder and the partner their own data, shows nothing on the page, once an hour, and logs it', async () => {
    await t.db.deleteFrom('outbox').execute()
    const anon = new Client(t.app)
    const page = await anon.get(`/pitch/${pitchToken}`)
    expect(page.body).toContain('Recevoir mes données par e-mail')
    const sent = await anon.post(`/pitch/${pitchToken}/mes-donnees`, { _csrf: csrfToken(page.body) })
    expect(sent.statusCode).toBe(303)
    expect(sent.headers.location).toBe(`/pitch/${pitchToken}?done=donnees`)
    const after = await anon.get(sent.headers.location as string)
    expect(after.body).toContain('vos données arrivent par e-mail à votre adresse')
    // The export itself is never on the page (the page keeps showing only what it always shows).
    for (const piece of ['email_key', 'exportedAt', '&quot;tables&quot;', 'Vos données -----']) expect(after.body).not.toContain(piece)
    let mails = await outboxRows(t.db)
    expect(mails).toHaveLength(1)
    expect(mails[0]).toMatchObject({ kind: 'person.export', to_email: HOLDER, platform_id: platform.id })
    const json = JSON.parse(/----- Vos données -----\n([\s\S]*)\n----- Fin de vos données -----/.exec(mails[0]!.text_body)![1]!)
    expect(json.tables.holder[0]).toMatchObject({ name: 'Nadia Benali', email: HOLDER, phone: '0612345678' })
    expect(json.tables.pitch).toHaveLength(1)
    expect(json.tables.initiative[0].title).toBe('Jardin partagé 1')
    expect(mails[0]!.text_body).toContain('http://fabrik.test/test/confidentialite')

    // Asked again within the hour: nothing more is sent; the page says it was already sent.
    const twice = await anon.post(`/pitch/${pitchToken}/mes-donnees`, { _csrf: csrfToken(page.body) })
    expect(twice.headers.location).toBe(`/pitch/${pitchToken}?done=donnees-deja`)
    expect(await outboxRows(t.db)).toHaveLength(1)
    t.clock.advance(61 * 60_000)
    await anon.post(`/pitch/${pitchToken}/mes-donnees`, { _csrf: csrfToken(page.body) })
    mails = await outboxRows(t.db)
    expect(mails).toHaveLength(2)
    // The earlier export is named in the new one, not copied into it.
    expect(mails[1]!.text_body).toContain('(un envoi précédent de vos données)')
    expect(mails[1]!.text_body.match(/"phone": "0612345678"/g)).toHaveLength(1)

    // The partner's link: the same, to the contact's address.
    const rsvp = await anon.get(`/rsvp/${rsvpToken}`)
    expect(rsvp.body).toContain('Recevoir mes données par e-mail')
    const done = await anon.post(`/rsvp/${rsvpToken}/mes-donnees`, { _csrf: csrfToken(rsvp.body) })
    expect(done.headers.location).toBe(`/rsvp/${rsvpToken}?donnees=envoyees#my-data-title`)
    expect((await anon.get(`/rsvp/${rsvpToken}?donnees=envoyees`)).body).toContain('vos données arrivent par e-mail')
    const contactMail = (await outboxRows(t.db)).at(-1)!
    expect(contactMail).toMatchObject({ kind: 'person.export', to_email: CONTACT })
    expect(contactMail.text_body).toContain('"name": "Hélène Dupré"')
    expect(contactMail.text_body).not.toContain(HOLDER)

    // Without the CSRF token: refused, nothing sent.
    expect((await anon.post(`/rsvp/${rsvpToken}/mes-donnees`, {})).statusCode).toBe(403)
    expect(await outboxRows(t.db)).toHaveLength(3)
    const audit = await t.db.selectFrom('audit_event').select(['action', 'actor_kind', 'subject', 'detail']).orderBy('id').execute()
    expect(audit.map((a) => `${a.action} ${a.actor_kind} ${a.subject}`)).toEqual(['person.export person holder:1', 'person.export person holder:1', 'person.export person contact:1'])
    expect(JSON.stringify(audit)).not.toMatch(/@|Benali|Dupré/)
  })

  it('keeps a sent message\'s content 90 days, then only its metadata', async () => {
    await t.db.updateTable('outbox').set({ status: 'sent', sent_at: t.clock.now().toISOString() }).execute()
    const count = (await outboxRows(t.db)).length
    t.clock.advance(89 * 24 * 3600_000)
    expect(await purgeOldMail(t.db, t.dataDir, t.clock.now())).toBe(0)
    t.clock.advance(2 * 24 * 3600_000)
    expect(await purgeOldMail(t.db, t.dataDir, t.clock.now())).toBe(count)
    const rows = await outboxRows(t.db)
    expect(rows.map((r) => r.text_body)).toEqual(rows.map(() => ''))
    expect(rows.every((r) => r.kind && r.to_email && r.sent_at)).toBe(true)
  })
})
