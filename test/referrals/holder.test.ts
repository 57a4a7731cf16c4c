import { afterEach, describe, expect, it } from 'vitest'
import { Client, csrfToken } from '../helpers/app.js'
import { aBookedPitch, aSession } from '../helpers/factories.js'
import { aReferral, snapshot, world, type World } from './helpers.js'

let w: World | undefined
afterEach(async () => { await w?.t.close(); w = undefined })

describe('referrals on the holder’s page', () => {
  it('lists the referrals of their initiative and shares their details with one partner on request', async () => {
    w = await world()
    const caf = await aReferral(w, { subject: 'Aide au démarrage' })
    const dept = await aReferral(w, { partner: 'dept', subject: 'Local associatif', shareContact: true })
    const holder = new Client(w.t.app)
    const url = `/pitch/${w.pitchToken}`
    const page = await holder.get(url)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('Mes orientations')
    expect(page.body).toContain('CAF du Pas-de-Calais')
    expect(page.body).toContain('Aide au démarrage')
    expect(page.body).toContain('proposée')
    expect(page.body).toContain('Transmettre mes coordonnées à CAF du Pas-de-Calais')
    expect(page.body).not.toContain('Transmettre mes coordonnées à Département')

    // Before: the partner sees no details.
    const partner = new Client(w.t.app)
    expect((await partner.get(caf.url)).body).not.toContain('nadia@example.org')

    const before = await snapshot(w)
    // Another referral id (not this initiative's, or already shared): a French 400, nothing written.
    let res = await holder.post(url, { _csrf: csrfToken(page.body), action: 'share_contact', referral_id: String(dept.id) })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('ne peut pas recevoir vos coordonnées')
    res = await holder.post(url, { _csrf: csrfToken(page.body), action: 'share_contact', referral_id: 'abc' })
    expect(res.statusCode).toBe(400)
    expect(await snapshot(w)).toEqual(before)

    res = await holder.post(url, { _csrf: csrfToken(page.body), action: 'share_contact', referral_id: String(caf.id) })
    expect(res.statusCode).toBe(303)
    const row = await w.t.db.selectFrom('referral').select('share_contact').where('id', '=', caf.id).executeTakeFirstOrThrow()
    expect(row.share_contact).toBe(1)
    const last = await w.t.db.selectFrom('referral_event').selectAll().where('referral_id', '=', caf.id).orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(last.by_kind).toBe('holder')
    const after = await partner.get(caf.url)
    expect(after.body).toContain('nadia@example.org')
    expect(after.body).toContain('06 12 34 56 78')
  })

  it('a holder’s page shows only their own initiative’s referrals', async () => {
    w = await world()
    await aReferral(w, { subject: 'Pour Nadia' })
    const sessionId = await aSession(w.t.db, w.platform, { date: '2027-01-29' })
    const other = await aBookedPitch(w.t.app.ctx, w.platform, sessionId, 2, { name: 'Paul Autre', email: 'paul@example.org' })
    const page = await new Client(w.t.app).get(`/pitch/${other.token}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).not.toContain('Pour Nadia')
    expect(page.body).not.toContain('Mes orientations')
  })

  it('the booking form’s optional consent is kept on a new holder, off by default', async () => {
    w = await world()
    await aSession(w.t.db, w.platform, { date: '2027-01-29' })
    const form = (email: string) => ({
      holder_name: 'Inès Martin', holder_email: email, holder_phone: '', holder_kind: 'resident', commune: '', attendance: 'on_site', consent: 'yes',
      initiative_title: 'Repair café', initiative_summary: 'Réparer ensemble au lieu de jeter.',
    })
    const client = new Client(w.t.app)
    const url = '/test/sessions/2027-01-29/pitch'
    const page = await client.get(url)
    expect(page.body).toContain('name="shares_contact"')
    expect((await client.submit(url, { ...form('ines@example.org'), shares_contact: 'yes' })).statusCode).toBe(303)
    expect((await client.submit(url, form('jules@example.org'))).statusCode).toBe(303)
    const holders = await w.t.db.selectFrom('holder').select(['email', 'shares_contact']).where('email', 'in', ['ines@example.org', 'jules@example.org']).orderBy('email').execute()
    expect(holders).toEqual([{ email: 'ines@example.org', shares_contact: 1 }, { email: 'jules@example.org', shares_contact: 0 }])
  })
})
