import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ensureCommune } from '../../src/platforms/store.js'
import { buildTestApp, Client, createFacilitator, createPlatform, type TestApp } from '../helpers/app.js'

describe('planning the year', () => {
  let t: TestApp
  let c: Client
  let harnesId: number
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [p.id])
    harnesId = (await ensureCommune(t.db, p.id, { name: 'Harnes', postcode: '62440' }, '2026-01-01T00:00:00.000Z')).id
    await ensureCommune(t.db, p.id, { name: 'Lens', postcode: '62300' }, '2026-01-01T00:00:00.000Z')
    c = new Client(t.app)
    await c.login('camille@test.example.org')
  })
  afterEach(() => t.close())

  const sessions = () => t.db.selectFrom('session').selectAll().orderBy('date').execute()

  it('generates a year of last-Friday drafts with skipped months, once', async () => {
    const res = await c.submit('/admin/p/test/plan', { year: '2027', skip: ['1', '8'], start_time: '09:00', end_time: '12:00' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/admin/p/test?year=2027')
    const rows = await sessions()
    expect(rows.map((r) => r.date)).toEqual([
      '2027-02-26', '2027-03-26', '2027-04-30', '2027-05-28', '2027-06-25', '2027-07-30',
      '2027-09-24', '2027-10-29', '2027-11-26', '2027-12-31',
    ])
    expect(rows.every((r) => r.status === 'draft' && r.start_time === '09:00')).toBe(true)
    // 09:00 in Paris is 08:00Z in winter and 07:00Z in summer.
    expect(rows[0]!.starts_at).toBe('2027-02-26T08:00:00.000Z')
    expect(rows[4]!.starts_at).toBe('2027-06-25T07:00:00.000Z')
    expect(await t.db.selectFrom('agenda_item').select('id').where('session_id', '=', rows[0]!.id).execute()).toHaveLength(7)
    await c.submit('/admin/p/test/plan', { year: '2027', skip: ['1', '8'], start_time: '09:00', end_time: '12:00' })
    expect(await sessions()).toHaveLength(10)
  })

  it('keeps every earlier URL of a moved session working: a redirect to its new date, page and .ics', async () => {
    await c.submit('/admin/p/test/plan', { year: '2027', skip: ['1', '8'], start_time: '09:00', end_time: '12:00' })
    await t.db.updateTable('session').set({ status: 'published' }).execute()
    const form = { start_time: '09:00', end_time: '12:00', mode: 'in_person', commune_id: '', venue_id: '', video_url: '', notes: '' }
    await c.submit('/admin/p/test/sessions/2027-02-26', { ...form, date: '2027-02-19' })
    await c.submit('/admin/p/test/sessions/2027-02-19', { ...form, date: '2027-02-12' })
    for (const [old, to] of [['2027-02-26', '2027-02-12'], ['2027-02-19', '2027-02-12'], ['2027-02-26.ics', '2027-02-12.ics']] as const) {
      const res = await t.app.inject(`/test/sessions/${old}`)
      expect({ old, status: res.statusCode, location: res.headers.location }).toEqual({ old, status: 301, location: `/test/sessions/${to}` })
    }
    expect((await t.app.inject('/test/sessions/2027-02-12')).statusCode).toBe(200)
    // Another session later held on an earlier date takes its URL back.
    await c.submit('/admin/p/test/sessions/2027-03-26', { ...form, date: '2027-02-26' })
    expect((await t.app.inject('/test/sessions/2027-02-26')).statusCode).toBe(200)
    expect((await t.app.inject('/test/sessions/2027-03-26')).headers.location).toBe('/test/sessions/2027-02-26')
    expect((await t.app.inject('/test/sessions/2027-01-29')).statusCode).toBe(404)
  })

  it('moves a session off a public holiday, says why, and lets the facilitator override', async () => {
    await c.submit('/admin/p/test/plan', { year: '2026', start_time: '09:00', end_time: '12:00' })
    const dec = (await sessions()).find((s) => s.date.startsWith('2026-12'))!
    expect(dec.date).toBe('2026-12-18')
    expect(dec.moved_because).toContain('Noël')
    const page = await c.get('/admin/p/test/sessions/2026-12-18')
    expect(page.body).toContain('Noël')
    const res = await c.submit('/admin/p/test/sessions/2026-12-18', { date: '2026-12-25', start_time: '09:00', end_time: '12:00', mode: 'in_person', commune_id: '', venue_id: '', video_url: '', notes: '' })
    expect(res.statusCode).toBe(303)
    const moved = (await sessions()).find((s) => s.id === dec.id)!
    expect(moved.date).toBe('2026-12-25')
    expect(moved.moved_because).toBeNull()
  })

  it('publishes the year, then a change of date, place or mode bumps SEQUENCE; cancel too', async () => {
    await c.submit('/admin/p/test/plan', { year: '2027', skip: ['1', '8'], start_time: '09:00', end_time: '12:00' })
    const dash = await c.submit('/admin/p/test?year=2027', { year: '2027' }, '/admin/p/test/publish')
    expect(dash.statusCode).toBe(303)
    let s = (await sessions())[0]!
    expect(s.status).toBe('published')
    expect(s.sequence).toBe(0)

    // Notes alone do not move calendars (the commune is the one the plan's rotation gave it).
    await c.submit('/admin/p/test/sessions/2027-02-26', { date: '2027-02-26', start_time: '09:00', end_time: '12:00', mode: 'in_person', commune_id: String(s.commune_id ?? ''), venue_id: '', video_url: '', notes: 'Salle à confirmer' })
    s = (await sessions())[0]!
    expect(s.sequence).toBe(0)
    expect(s.notes).toBe('Salle à confirmer')

    await c.submit('/admin/p/test/sessions/2027-02-26', { date: '2027-02-19', start_time: '09:30', end_time: '12:00', mode: 'in_person', commune_id: String(harnesId), venue_id: '', video_url: '', notes: '' })
    s = (await sessions())[0]!
    expect(s.date).toBe('2027-02-19')
    expect(s.starts_at).toBe('2027-02-19T08:30:00.000Z')
    expect(s.commune_id).toBe(harnesId)
    expect(s.sequence).toBe(1)

    await c.submit('/admin/p/test/sessions/2027-02-19', { video_url: '' }, '/admin/p/test/sessions/2027-02-19/visio')
    s = (await sessions())[0]!
    expect(s.mode).toBe('videoconference')
    expect(s.video_url).toBe('https://visio.example.org/test')
    expect(s.sequence).toBe(2)
    // Said once, not "Visioconférence · En visioconférence".
    for (const url of ['/admin/p/test/sessions/2027-02-19', '/admin/p/test/sessions/2027-02-19/partners']) {
      const body = (await c.get(url)).body
      expect(body).toContain('Visioconférence')
      expect(body).not.toContain('Visioconférence · En visioconférence')
    }

    await c.submit('/admin/p/test/sessions/2027-02-19', {}, '/admin/p/test/sessions/2027-02-19/cancel')
    s = (await sessions())[0]!
    expect(s.status).toBe('cancelled')
    expect(s.sequence).toBe(3)
  })

  it('adds an extra session and refuses a second one the same day', async () => {
    const form = { date: '2027-03-12', start_time: '14:00', end_time: '16:00', mode: 'hybrid', commune_id: '', venue_id: '', video_url: 'https://visio.example.org/x', notes: '' }
    expect((await c.submit('/admin/p/test/sessions/new', form, '/admin/p/test/sessions')).statusCode).toBe(303)
    const again = await c.submit('/admin/p/test/sessions/new', form, '/admin/p/test/sessions')
    expect(again.statusCode).toBe(400)
    expect(again.body).toContain('Une séance existe déjà ce jour-là.')
    expect(await sessions()).toHaveLength(1)
  })

  it('re-renders bad input with French messages, every value kept, nothing saved', async () => {
    await c.submit('/admin/p/test/plan', { year: '2027', skip: ['1', '8'], start_time: '09:00', end_time: '12:00' })
    const before = await sessions()
    const res = await c.submit('/admin/p/test/sessions/2027-02-26', {
      date: '2027-02-26', start_time: '12:00', end_time: '09:00', mode: 'videoconference', commune_id: '',
      venue_id: '', video_url: 'javascript:alert(1)', notes: 'Note <script>alert(1)</script>\u0000', unknown: 'ignored',
    })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain("L&#39;heure de fin doit suivre l&#39;heure de début.")
    expect(res.body).toContain('Adresse invalide : elle doit commencer par https://')
    expect(res.body).toContain('Ce texte contient des caractères non autorisés.')
    expect(res.body).toContain('value="javascript:alert(1)"')
    expect(res.body).toContain('Note &lt;script&gt;')
    expect(res.body).not.toContain('<script>alert(1)')
    expect(await sessions()).toEqual(before)
  })

  it('orders communes by the longest wait in the session form', async () => {
    await c.submit('/admin/p/test/plan', { year: '2027', skip: ['1', '8'], start_time: '09:00', end_time: '12:00' })
    await t.db.updateTable('session').set({ commune_id: null }).execute() // forget the plan's rotation
    await c.submit('/admin/p/test/sessions/2027-02-26', { date: '2027-02-26', start_time: '09:00', end_time: '12:00', mode: 'in_person', commune_id: String(harnesId), venue_id: '', video_url: '', notes: '' })
    const page = await c.get('/admin/p/test/sessions/2027-03-26')
    const lens = page.body.indexOf('>Lens — jamais accueilli')
    const harnes = page.body.indexOf('>Harnes — dernière séance le 26/02/2027 (1 en 12 mois)')
    expect(lens).toBeGreaterThan(0)
    expect(harnes).toBeGreaterThan(lens)
  })

  it('manages communes and venues, refusing duplicates and foreign communes', async () => {
    expect((await c.submit('/admin/p/test/communes', { name: 'Éleu-dit-Leauwette', postcode: '62300' })).statusCode).toBe(303)
    const dup = await c.submit('/admin/p/test/communes', { name: 'ELEU DIT LEAUWETTE', postcode: '' })
    expect(dup.statusCode).toBe(400)
    expect(dup.body).toContain('Cette commune est déjà dans la liste.')
    const venue = { name: 'Salle Kraska', address: '1 rue X, 62440 Harnes', commune_id: String(harnesId), capacity: '40', accessibility: 'Plain-pied', host_name: '', host_email: '', host_phone: '' }
    expect((await c.submit('/admin/p/test/venues', venue)).statusCode).toBe(303)
    const bad = await c.submit('/admin/p/test/venues', { ...venue, commune_id: '999999', host_email: 'pas une adresse' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Adresse e-mail invalide.')
    expect(await t.db.selectFrom('venue').selectAll().execute()).toHaveLength(1)
  })

  it('sends anonymous visitors to the login page and refuses their POSTs', async () => {
    const anon = new Client(t.app)
    const res = await anon.get('/admin/p/test/plan')
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Fadmin%2Fp%2Ftest%2Fplan')
    const token = /name="_csrf" value="([^"]+)"/.exec((await anon.get('/login')).body)![1]!
    expect((await anon.post('/admin/p/test/plan', { year: '2027', start_time: '09:00', end_time: '12:00', _csrf: token })).statusCode).toBe(401)
    expect(await sessions()).toHaveLength(0)
  })
})
