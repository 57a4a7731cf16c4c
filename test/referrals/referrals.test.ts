import { afterEach, describe, expect, it } from 'vitest'
import { remindOverdueReferrals } from '../../src/referrals/reminders.js'
import { Client, createPlatform, csrfToken, facilitatorClient } from '../helpers/app.js'
import { sentMailOf } from '../helpers/factories.js'
import { aReferral, snapshot, world, type World } from './helpers.js'

let w: World | undefined
afterEach(async () => { await w?.t.close(); w = undefined })

const mails = async (kind: string) => (await sentMailOf(w!.t.app)).filter((m) => m.kind === kind)

describe('referrals through the partner link', () => {
  it('a referral mails the partner its link; the partner moves it with a note and the holder is told', async () => {
    w = await world()
    const r = await aReferral(w, { contact: 'helene' })
    const made = await mails('referral.made')
    expect(made.map((m) => m.to_email)).toEqual(['helene.dupre@caf.example.org'])
    expect(made[0]!.text_body).toContain(`http://fabrik.test${r.url}`)
    expect(made[0]!.text_body).toContain('Aide au démarrage')

    const partner = new Client(w.t.app)
    const page = await partner.get(r.url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Jardin partagé 1')
    expect(page.body).toContain('proposée')
    const res = await partner.post(r.url, { _csrf: csrfToken(page.body), referral_id: String(r.id), status: 'contacted', note: 'Rendez-vous fixé le 2 décembre.', by_name: 'Hélène' })
    expect(res.statusCode).toBe(303)

    const row = await w.t.db.selectFrom('referral').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('contacted')
    const events = await w.t.db.selectFrom('referral_event').selectAll().where('referral_id', '=', r.id).orderBy('id').execute()
    expect(events.map((e) => [e.status, e.by_kind])).toEqual([['proposed', 'facilitator'], ['contacted', 'partner']])
    expect(events[1]!.by_contact_id).toBe(w.contacts.helene)
    expect(events[1]!.note).toBe('Rendez-vous fixé le 2 décembre.')

    const updated = await mails('referral.updated')
    expect(updated.map((m) => m.to_email)).toEqual(['nadia@example.org'])
    expect(updated[0]!.text_body).toContain('contact pris')
    expect(updated[0]!.text_body).toContain('Rendez-vous fixé le 2 décembre.')
    expect(updated[0]!.text_body).toContain(`http://fabrik.test/pitch/${w.pitchToken}`)

    // The facilitator sees it and its history.
    const detail = await w.admin.get(`/admin/p/test/referrals/${r.id}`)
    expect(detail.statusCode).toBe(200)
    expect(detail.body).toContain('Rendez-vous fixé le 2 décembre.')
    expect(detail.body).toContain('Hélène Dupré')
  })

  it('without a chosen contact the mail goes to every active contact of the organisation', async () => {
    w = await world()
    await aReferral(w)
    expect((await mails('referral.made')).map((m) => m.to_email).sort()).toEqual(['helene.dupre@caf.example.org', 'marc.petit@caf.example.org'])
  })

  it('the holder’s contact details are withheld without consent, shown with it', async () => {
    w = await world()
    const r = await aReferral(w)
    const partner = new Client(w.t.app)
    let page = await partner.get(r.url)
    expect(page.body).not.toContain('nadia@example.org')
    expect(page.body).not.toContain('06 12 34 56 78')
    expect(page.body).toContain("L'équipe d'animation vous mettra en relation")
    expect((await mails('referral.made'))[0]!.text_body).not.toContain('nadia@example.org')

    const shared = await aReferral(w, { shareContact: true, subject: 'Local associatif' })
    page = await partner.get(shared.url)
    const section = page.body.slice(page.body.indexOf(`data-referral="${shared.id}"`))
    expect(section).toContain('nadia@example.org')
    expect(section).toContain('06 12 34 56 78')
    const other = page.body.slice(page.body.indexOf(`data-referral="${r.id}"`), page.body.indexOf(`data-referral="${shared.id}"`))
    expect(other).not.toContain('nadia@example.org')
  })

  it('a partner’s link shows only its organisation’s referrals, and posts only to them', async () => {
    w = await world()
    const caf = await aReferral(w, { subject: 'Pour la CAF' })
    const dept = await aReferral(w, { partner: 'dept', subject: 'Pour le Département' })
    const partner = new Client(w.t.app)
    const page = await partner.get(caf.url)
    expect(page.body).toContain('Pour la CAF')
    expect(page.body).not.toContain('Pour le Département')
    const before = await snapshot(w)
    const res = await partner.post(caf.url, { _csrf: csrfToken(page.body), referral_id: String(dept.id), status: 'succeeded', note: '' })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('pas (ou plus) suivie depuis ce lien')
    expect(await snapshot(w)).toEqual(before)
  })

  it('bad input answers a French 400, the form filled in, nothing saved', async () => {
    w = await world()
    const r = await aReferral(w)
    const partner = new Client(w.t.app)
    const page = await partner.get(r.url)
    const before = await snapshot(w)
    const csrf = csrfToken(page.body)
    let res = await partner.post(r.url, { _csrf: csrf, referral_id: String(r.id), status: 'gagné', note: 'Un mot gardé' })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Choisissez où en est cette orientation.')
    expect(res.body).toContain('Un mot gardé')
    res = await partner.post(r.url, { _csrf: csrf, referral_id: String(r.id), status: 'contacted', note: 'x'.repeat(2001) })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('2000 caractères au plus.')
    res = await partner.post(r.url, { _csrf: csrf, referral_id: String(r.id), status: 'proposed', note: '' })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Choisissez un nouveau statut ou écrivez un mot.')
    expect(await snapshot(w)).toEqual(before)
  })

  it('links: a guess is 404 before CSRF, GET and HEAD write nothing, a replaced link 410', async () => {
    w = await world()
    const r = await aReferral(w)
    const partner = new Client(w.t.app)
    expect((await partner.post('/referrals/' + 'A'.repeat(43), { status: 'contacted' })).statusCode).toBe(404)
    expect((await partner.get('/referrals/short')).statusCode).toBe(404)
    const before = await snapshot(w)
    expect((await partner.get(r.url)).statusCode).toBe(200)
    expect((await partner.head(r.url)).statusCode).toBe(200)
    expect((await w.admin.get('/admin/p/test/referrals')).statusCode).toBe(200)
    expect((await w.admin.get(`/admin/p/test/referrals/${r.id}`)).statusCode).toBe(200)
    expect(await snapshot(w)).toEqual(before)
    // Without the CSRF token, a valid link's POST is refused and changes nothing.
    expect((await partner.post(r.url, { referral_id: String(r.id), status: 'contacted' })).statusCode).toBe(403)
    expect(await snapshot(w)).toEqual(before)

    // "Envoyer un nouveau lien": the old one answers 410 in French, the new one opens, the partner is mailed again.
    const detail = await w.admin.get(`/admin/p/test/referrals/${r.id}`)
    const csrf = [...detail.body.matchAll(/name="_csrf" value="([^"]+)"/g)].at(-1)![1]!
    expect((await w.admin.post(`/admin/p/test/referrals/${r.id}/link`, { _csrf: csrf, confirm: 'yes' })).statusCode).toBe(303)
    const old = await partner.get(r.url)
    expect(old.statusCode).toBe(410)
    expect(old.body).toContain('Ce lien a été remplacé')
    const made = await mails('referral.made')
    expect(made).toHaveLength(4)
    const fresh = /http:\/\/fabrik\.test(\/referrals\/[A-Za-z0-9_-]{43})/.exec(made.at(-1)!.text_body)![1]!
    expect(fresh).not.toBe(r.url)
    expect((await partner.get(fresh)).statusCode).toBe(200)
  })

  it('another platform’s facilitator gets 404 on the Orientations pages', async () => {
    w = await world()
    const r = await aReferral(w)
    const other = await createPlatform(w.t.db, { slug: 'autre', name: 'Autre plateforme' })
    const stranger = await facilitatorClient(w.t.app, w.t.db, [other.id], 'dominique@autre.example.org')
    expect((await stranger.get('/admin/p/test/referrals')).statusCode).toBe(404)
    expect((await stranger.get(`/admin/p/test/referrals/${r.id}`)).statusCode).toBe(404)
    expect((await stranger.get(`/admin/p/autre/referrals/${r.id}`)).statusCode).toBe(404)
    const own = await stranger.get('/admin/p/autre/referrals')
    expect(own.statusCode).toBe(200)
    expect(own.body).not.toContain('Jardin partagé 1')
    const before = await snapshot(w)
    expect((await stranger.post(`/admin/p/autre/referrals/${r.id}`, { _csrf: csrfToken(own.body), status: 'dropped' })).statusCode).toBe(404)
    expect(await snapshot(w)).toEqual(before)
  })

  it('the facilitator updates a referral, filters the list, and a bad filter is a French 400', async () => {
    w = await world()
    const caf = await aReferral(w, { subject: 'Pour la CAF' })
    await aReferral(w, { partner: 'dept', subject: 'Pour le Département' })
    const res = await w.admin.submit(`/admin/p/test/referrals/${caf.id}`, { status: 'dropped', note: 'Le porteur a trouvé ailleurs.' })
    expect(res.statusCode).toBe(303)
    const events = await w.t.db.selectFrom('referral_event').selectAll().where('referral_id', '=', caf.id).orderBy('id').execute()
    expect(events.at(-1)).toMatchObject({ status: 'dropped', by_kind: 'facilitator', note: 'Le porteur a trouvé ailleurs.' })
    expect((await mails('referral.updated')).map((m) => m.to_email)).toEqual(['nadia@example.org'])

    let list = await w.admin.get('/admin/p/test/referrals')
    expect(list.body).not.toContain('Pour la CAF') // closed: no longer open
    expect(list.body).toContain('Pour le Département')
    list = await w.admin.get('/admin/p/test/referrals?statut=dropped')
    expect(list.body).toContain('Pour la CAF')
    list = await w.admin.get(`/admin/p/test/referrals?partenaire=${w.partners.caf}`)
    expect(list.body).not.toContain('Pour le Département')
    list = await w.admin.get('/admin/p/test/referrals?statut=gagne')
    expect(list.statusCode).toBe(400)
    expect(list.body).toContain('Statut inconnu.')

    const bad = await w.admin.submit(`/admin/p/test/referrals/${caf.id}`, { status: 'succeeded', note: 'Finalement si' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('pas possible depuis le statut actuel')
    expect(bad.body).toContain('Finalement si')
  })
})

describe('the overdue reminder', () => {
  it('is sent once to the partner, however often and concurrently it runs; the facilitator sees it overdue', async () => {
    w = await world()
    const r = await aReferral(w, { contact: 'helene', followUpOn: '2026-12-15' })
    const quiet = await aReferral(w, { contact: 'helene', followUpOn: '2026-12-31', subject: 'Pas encore' })
    const ctx = w.t.app.ctx
    expect(await remindOverdueReferrals(ctx, new Date('2026-12-15T12:00:00Z'))).toBe(0)
    const later = new Date('2026-12-16T09:00:00Z')
    const counts = await Promise.all([remindOverdueReferrals(ctx, later), remindOverdueReferrals(ctx, later)])
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1)
    expect(await remindOverdueReferrals(ctx, new Date('2026-12-20T09:00:00Z'))).toBe(0)
    const reminders = await mails('referral.reminder')
    expect(reminders.map((m) => m.to_email)).toEqual(['helene.dupre@caf.example.org'])
    expect(reminders[0]!.text_body).toContain(`http://fabrik.test${r.url}`)
    const row = await w.t.db.selectFrom('referral').select('reminded_at').where('id', '=', r.id).executeTakeFirstOrThrow()
    expect(row.reminded_at).not.toBeNull()

    w.t.clock.set('2026-12-20T09:00:00.000Z')
    const admin = new Client(w.t.app)
    await admin.login('camille@test.example.org')
    const list = await admin.get('/admin/p/test/referrals')
    expect(list.statusCode).toBe(200)
    expect(list.body.indexOf(`data-referral="${r.id}" data-overdue="1"`)).toBeGreaterThan(-1)
    expect(list.body.indexOf(`data-referral="${r.id}"`)).toBeLessThan(list.body.indexOf(`data-referral="${quiet.id}"`))
  })

  it('is not sent when the partner answered after the follow-up day', async () => {
    w = await world()
    const r = await aReferral(w, { followUpOn: '2026-12-15' })
    w.t.clock.set('2026-12-16T08:00:00.000Z')
    const partner = new Client(w.t.app)
    await partner.submit(r.url, { referral_id: String(r.id), status: 'in_progress', note: '' })
    expect(await remindOverdueReferrals(w.t.app.ctx, new Date('2026-12-16T09:00:00Z'))).toBe(0)
  })
})
