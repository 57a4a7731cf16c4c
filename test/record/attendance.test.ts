import { afterEach, describe, expect, it } from 'vitest'
import { sessionAttendanceRows } from '../../src/record/store.js'
import { Client, createPlatform, csrfToken, facilitatorClient } from '../helpers/app.js'
import { ATTENDANCE, rollFields, world, type World } from './helpers.js'

let w: World
afterEach(async () => { await w?.t.close() })

const open = async (client = w.admin) => {
  const res = await client.get(ATTENDANCE)
  expect(res.statusCode).toBe(200)
  return res.body
}

describe('attendance at the table', () => {
  it('lists the expected people, records marks and a walk-in, counts organisations once, and a second save changes nothing', async () => {
    w = await world()
    const html = await open()
    // Expected: both holders, the two CAF contacts who answered, and the delegate; not the one who declined.
    for (const name of ['Porteur 1', 'Porteur 2', 'Hélène Dupré', 'Marc Petit', 'Sophie Lemaire']) expect(html).toContain(name)
    expect(html).not.toContain('Léa Martin')
    expect(html).not.toContain('Karim Benali')
    const c = w.contacts, h = w.holders
    const form = {
      ...rollFields(html), _csrf: csrfToken(html),
      [`presence_c${c.helene}`]: 'on_site', [`presence_c${c.marc}`]: 'remote', [`presence_c${c.sophie}`]: 'absent',
      [`presence_h${h[0]}`]: 'on_site', [`presence_h${h[1]}`]: 'remote',
      walkin_name: 'Julie Carpentier', walkin_organisation: 'fédération des centres sociaux', walkin_email: '', walkin_presence: 'on_site',
    }
    const saved = await w.admin.post(ATTENDANCE, form)
    expect(saved.statusCode).toBe(303)
    const rows = await sessionAttendanceRows(w.t.db, w.sessionId)
    expect(rows).toHaveLength(6)
    const walkin = rows.find((r) => r.name === 'Julie Carpentier')!
    expect(walkin).toMatchObject({ contact_id: null, holder_id: null, partner_id: w.partners.centres, presence: 'on_site' })
    expect(rows.find((r) => r.contact_id === c.marc)).toMatchObject({ presence: 'remote', partner_id: w.partners.caf })
    const after = await open()
    // CAF (two colleagues) and the centres sociaux (the walk-in; Sophie absent): two organisations.
    expect(after).toContain('data-organisations="2"')
    expect(after).toContain('Julie Carpentier')

    // The same form sent again (a double tap, or "Enregistrer" once more): nothing changes.
    const again = await w.admin.post(ATTENDANCE, form)
    expect(again.statusCode).toBe(303)
    expect(await sessionAttendanceRows(w.t.db, w.sessionId)).toEqual(rows)
  })

  it('links a walk-in whose email is a known contact to that contact, once', async () => {
    w = await world()
    const html = await open()
    const form = { ...rollFields(html), _csrf: csrfToken(html), walkin_name: 'Léa M.', walkin_organisation: '', walkin_email: 'lea.martin@pasdecalais.example.org', walkin_presence: 'remote' }
    expect((await w.admin.post(ATTENDANCE, form)).statusCode).toBe(303)
    expect((await w.admin.post(ATTENDANCE, form)).statusCode).toBe(303)
    const rows = await sessionAttendanceRows(w.t.db, w.sessionId)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ contact_id: w.contacts.lea, partner_id: w.partners.dept, presence: 'remote' })
  })

  it('merges two facilitators saving at once: no lost marks, and a mark both changed is reported, not overwritten', async () => {
    w = await world()
    const other = await facilitatorClient(w.t.app, w.t.db, [w.platform.id], 'dominique@test.example.org')
    const mine = await open()
    const theirs = await open(other)
    const c = w.contacts
    // Both load the same page; they save different people, and both mark Marc differently.
    expect((await other.post(ATTENDANCE, { ...rollFields(theirs), _csrf: csrfToken(theirs), [`presence_c${c.helene}`]: 'on_site', [`presence_c${c.marc}`]: 'absent' })).statusCode).toBe(303)
    const res = await w.admin.post(ATTENDANCE, { ...rollFields(mine), _csrf: csrfToken(mine), [`presence_c${c.sophie}`]: 'on_site', [`presence_c${c.marc}`]: 'remote' })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain(`data-conflict="c${c.marc}"`)
    expect(res.body).toContain('Marc Petit')
    const rows = await sessionAttendanceRows(w.t.db, w.sessionId)
    const mark = (id: number) => rows.find((r) => r.contact_id === id)?.presence
    expect(mark(c.helene)).toBe('on_site') // the colleague's, kept
    expect(mark(c.sophie)).toBe('on_site') // mine, merged in
    expect(mark(c.marc)).toBe('absent') // the colleague's, not silently overwritten

    // The page now shows the colleague's mark: a save from it changes Marc as asked.
    const fresh = (await w.admin.get(ATTENDANCE)).body
    expect((await w.admin.post(ATTENDANCE, { ...rollFields(fresh), _csrf: csrfToken(fresh), [`presence_c${c.marc}`]: 'remote' })).statusCode).toBe(303)
    expect((await sessionAttendanceRows(w.t.db, w.sessionId)).find((r) => r.contact_id === c.marc)?.presence).toBe('remote')

    // A stale form that did not touch Marc leaves him alone (its shown mark was the old one).
    expect((await other.post(ATTENDANCE, { ...rollFields(theirs), _csrf: csrfToken(theirs), [`presence_c${c.helene}`]: 'on_site' })).statusCode).toBe(303)
    expect((await sessionAttendanceRows(w.t.db, w.sessionId)).find((r) => r.contact_id === c.marc)?.presence).toBe('remote')
  })

  it('refuses bad input in French with the form filled, and saves nothing', async () => {
    w = await world()
    const html = await open()
    const res = await w.admin.post(ATTENDANCE, {
      ...rollFields(html), _csrf: csrfToken(html), [`presence_c${w.contacts.helene}`]: 'peut-être',
      walkin_name: '', walkin_organisation: 'Mairie de Harnes', walkin_email: 'pas-une-adresse',
    })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('Choisissez sur place, à distance ou absent·e.')
    expect(res.body).toContain('Adresse e-mail invalide.')
    expect(res.body).toContain('value="Mairie de Harnes"')
    expect(await sessionAttendanceRows(w.t.db, w.sessionId)).toHaveLength(0)
  })

  it('answers 404 to a facilitator of another platform and sends an anonymous visitor to the login', async () => {
    w = await world()
    const elsewhere = await createPlatform(w.t.db, { slug: 'ailleurs', name: 'Ailleurs' })
    const stranger = await facilitatorClient(w.t.app, w.t.db, [elsewhere.id], 'autre@test.example.org')
    expect((await stranger.get(ATTENDANCE)).statusCode).toBe(404)
    const own = (await stranger.get('/admin/p/ailleurs/sessions/2026-12-18/record/attendance')).statusCode
    expect(own).toBe(404) // no session that day on their platform
    const anonymous = new Client(w.t.app)
    const res = await anonymous.get(ATTENDANCE)
    expect(res.statusCode).toBe(303)
    expect(String(res.headers.location)).toContain('/login')
    const html = await open()
    expect((await stranger.post(ATTENDANCE, { ...rollFields(html), _csrf: csrfToken((await stranger.get('/admin/p/ailleurs/sessions/new')).body) })).statusCode).toBe(404)
    expect(await sessionAttendanceRows(w.t.db, w.sessionId)).toHaveLength(0)
  })
})
