import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LUXEMBOURG_SLUG } from '../../src/demo/luxembourg.js'
import { CALENDAR_2021, seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { buildTestApp, type TestApp } from '../helpers/app.js'

const TABLES = ['platform', 'commune', 'venue', 'session', 'agenda_item', 'holder', 'initiative', 'pitch', 'partner', 'contact', 'invitation', 'outbox'] as const

describe('npm run seed:demo', () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  async function counts() {
    const out: Record<string, number> = {}
    for (const table of TABLES) out[table] = (await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
    return out
  }

  async function seed() {
    await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
    await seedDemoPitches(t.app.ctx)
    await seedDemoPartners(t.app.ctx)
  }

  it('creates Lens-Liévin with its communes, the 2021 calendar as published, and two planned years', async () => {
    await seed()
    const lens = await t.db.selectFrom('platform').select('id').where('slug', '=', 'lens-lievin').executeTakeFirstOrThrow()
    const communes = await t.db.selectFrom('commune').select('name').where('platform_id', '=', lens.id).execute()
    expect(communes).toHaveLength(36)
    expect(communes.map((c) => c.name)).toContain('Éleu-dit-Leauwette')
    const sessions = await t.db.selectFrom('session').selectAll().where('platform_id', '=', lens.id).orderBy('date').execute()
    const y2021 = sessions.filter((s) => s.date.startsWith('2021'))
    expect(y2021.map((s) => s.date)).toEqual(CALENDAR_2021)
    expect(y2021.every((s) => s.start_time === '09:00' && s.end_time === '12:00' && s.commune_id === null && s.status === 'published')).toBe(true)
    const coming = sessions.filter((s) => s.date >= '2026-01-01')
    expect(coming.length).toBeGreaterThanOrEqual(18)
    expect(coming.every((s) => s.status === 'published' && s.commune_id !== null)).toBe(true)
    // The rotation gives each session a different commune until all have hosted.
    expect(new Set(coming.map((s) => s.commune_id)).size).toBe(coming.length)
    expect(coming.find((s) => s.date.startsWith('2026-12'))!.date).toBe('2026-12-18') // Noël moved
    const home = await t.app.inject('/lens-lievin')
    expect(home.body).toContain('La Fabrik à projets — Lens-Liévin')
    const past = await t.app.inject('/lens-lievin/sessions/2021-02-26')
    expect(past.body).toContain('Lieu à déterminer')
    expect((await t.db.selectFrom('pitch').selectAll().execute()).length).toBeGreaterThan(0)
    expect(await t.db.selectFrom('partner').selectAll().where('platform_id', '=', lens.id).execute()).toHaveLength(11)
    const invitations = await t.db.selectFrom('invitation').selectAll().execute()
    expect(invitations).toHaveLength(12)
    expect(invitations.filter((i) => i.answer !== 'none')).toHaveLength(3)
    expect((await t.db.selectFrom('outbox').select('kind').where('kind', '=', 'session.invitation').execute())).toHaveLength(12)
  })

  it('creates the Province de Luxembourg: Belgian, at its own place in Arlon, every second Tuesday, with its own people', async () => {
    await seed()
    const lux = await t.db.selectFrom('platform').selectAll().where('slug', '=', LUXEMBOURG_SLUG).executeTakeFirstOrThrow()
    expect(lux).toMatchObject({
      name: 'La Fabrique à projets — Province de Luxembourg', country: 'BE', region: null, timezone: 'Europe/Brussels',
      contact_email: 'fabrique@province.luxembourg.be', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', default_start: '14:00', default_end: '16:30', itinerant: 0,
    })
    const communes = await t.db.selectFrom('commune').selectAll().where('platform_id', '=', lux.id).execute()
    expect(communes).toHaveLength(43)
    expect(communes.find((c) => c.name === 'Bastogne')).toMatchObject({ postcode: '6600', code: '82039' })
    const venue = await t.db.selectFrom('venue').selectAll().where('id', '=', lux.home_venue_id!).executeTakeFirstOrThrow()
    expect(venue).toMatchObject({ platform_id: lux.id, address: 'Square Albert 1er, B-6700 Arlon', commune_id: communes.find((c) => c.name === 'Arlon')!.id })

    // This year and next, published, every one at the venue, on second Tuesdays (or the week before a holiday).
    const sessions = await t.db.selectFrom('session').selectAll().where('platform_id', '=', lux.id).orderBy('date').execute()
    expect(sessions).toHaveLength(20)
    for (const s of sessions) {
      expect(s).toMatchObject({ status: 'published', venue_id: venue.id, start_time: '14:00', end_time: '16:30' })
      expect(new Date(`${s.date}T12:00:00Z`).getUTCDay()).toBe(2)
      expect(Number(s.date.slice(8, 10)) <= 14 || s.moved_because !== null).toBe(true)
    }
    expect(sessions.map((s) => s.date.slice(5, 7))).not.toContain('07')
    // 14:00 in Brussels: 13:00Z in winter.
    expect(sessions.find((s) => s.date === '2026-12-08')!.starts_at).toBe('2026-12-08T13:00:00.000Z')

    const facilitators = await t.db.selectFrom('facilitator_platform').innerJoin('facilitator', 'facilitator.id', 'facilitator_platform.facilitator_id')
      .select('facilitator.email').where('platform_id', '=', lux.id).execute()
    expect(facilitators.map((f) => f.email)).toEqual(['emilie.thiry@province-luxembourg.example.org'])
    expect(await t.db.selectFrom('partner').selectAll().where('platform_id', '=', lux.id).execute()).toHaveLength(5)
    const pitches = await t.db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').select('session.date').where('session.platform_id', '=', lux.id).execute()
    expect(pitches).toHaveLength(3)

    // GET / lists both platforms; each page, feed and list shows only its own, times in its own zone.
    const home = await t.app.inject('/')
    expect(home.body).toContain('href="/lens-lievin"')
    expect(home.body).toContain('href="/province-luxembourg"')
    const json = JSON.parse((await t.app.inject('/province-luxembourg/sessions.json')).body) as Array<{ date: string; start: string; venue: string; commune: string }>
    expect(json[0]).toMatchObject({ date: '2026-12-08', start: '2026-12-08T14:00:00+01:00', venue: 'Local de la Fabrique à projets', commune: 'Arlon' })
    const feed = (await t.app.inject('/province-luxembourg/calendar.ics')).body
    expect(feed).toContain('Arlon')
    expect(feed).not.toContain('Lens')
    expect((await t.app.inject('/lens-lievin/calendar.ics')).body).not.toContain('Arlon')
    const page = (await t.app.inject('/province-luxembourg')).body
    expect(page).toContain('La Fabrique à projets — Province de Luxembourg')
    expect(page).not.toContain('Liévin')
    const mails = await t.db.selectFrom('outbox').select(['to_email', 'ical']).where('platform_id', '=', lux.id).execute()
    expect(mails.length).toBeGreaterThan(0)
    for (const m of mails) {
      expect(m.to_email).toMatch(/@(habitants-lux|jardins-wiltz)\.example\.org$/)
      if (m.ical) expect(m.ical).toContain('ORGANIZER')
      if (m.ical) expect(m.ical).toContain('fabrique@province.luxembourg.be')
    }
  })

  it('changes nothing on a second run', async () => {
    await seed()
    const first = await counts()
    await seed()
    expect(await counts()).toEqual(first)
  })
})
