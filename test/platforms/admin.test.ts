import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { setAdmin } from '../../src/platforms/store.js'
import { projectRoot } from '../../src/web/views.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, type TestApp } from '../helpers/app.js'
import { multipart, type Part } from '../helpers/multipart.js'

// The instance administrators' pages: create a platform from the form (pasted or uploaded communes), plan a
// year on it with its own holidays, edit, archive and restore it; facilitators are refused.

const LUXEMBOURG_CSV = readFileSync(join(projectRoot(), 'src', 'demo', 'data', 'luxembourg-be-communes.csv'))



export const ALSACE = {
  name: 'La Fabrik à projets — Strasbourg', slug: 'strasbourg', country: 'FR', region: '67', timezone: '',
  contact_email: 'animation@fabrik-strasbourg.example.org', contact_name: '', rule_week: '-1', rule_day: 'FR', rrule: '',
  default_start: '09:00', default_end: '12:00', itinerant: 'yes', venue_name: '', venue_address: '', venue_commune: '',
  skip: ['8'], communes: 'nom;code postal;insee\nStrasbourg;67000;67482\nSchiltigheim;67300;67447\nIllkirch-Graffenstaden;67400;67218\n',
  facilitate: 'yes',
}

export const LUXEMBOURG = {
  name: 'La Fabrique à projets — Ardenne', slug: 'ardenne', country: 'BE', region: '', timezone: '',
  contact_email: 'fabrique@ardenne.example.org', contact_name: 'Émilie Thiry', rule_week: '2', rule_day: 'TU', rrule: '',
  default_start: '14:00', default_end: '16:30', itinerant: 'no', venue_name: 'Local de la Fabrique', venue_address: 'Square Albert 1er, B-6700 Arlon',
  venue_commune: 'arlon', skip: ['7', '8'], communes: '', facilitate: 'yes',
}

describe('the administrators’ platform pages', () => {
  let t: TestApp
  let admin: Client
  let facilitator: Client
  beforeEach(async () => {
    t = await buildTestApp()
    const lens = await createPlatform(t.db, { slug: 'lens-lievin', name: 'Lens-Liévin' })
    const adminId = await createFacilitator(t.db, 'admin@fabrik.example.org', [])
    await setAdmin(t.db, adminId)
    admin = new Client(t.app, {}, '10.1.0.1')
    await admin.login('admin@fabrik.example.org')
    await createFacilitator(t.db, 'camille@lens.example.org', [lens.id])
    facilitator = new Client(t.app, {}, '10.1.0.2')
    await facilitator.login('camille@lens.example.org')
  })
  afterEach(() => t.close())

  const platforms = () => t.db.selectFrom('platform').selectAll().orderBy('id').execute()
  const platform = (slug: string) => t.db.selectFrom('platform').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow()
  const sessionsOf = async (slug: string) => {
    const p = await platform(slug)
    return t.db.selectFrom('session').selectAll().where('platform_id', '=', p.id).orderBy('date').execute()
  }
  const create = (form: Record<string, string | string[]>) => admin.submit('/admin/platforms/new', form, '/admin/platforms')
  async function upload(fields: Record<string, Part>) {
    const token = csrfToken((await admin.get('/admin/platforms/new')).body)
    const { body, type } = multipart({ ...fields, _csrf: token })
    return admin.request('POST', '/admin/platforms', undefined, { 'content-type': type }, body)
  }

  it('refuses facilitators and sends anonymous visitors to the login page', async () => {
    expect((await facilitator.get('/admin/platforms')).statusCode).toBe(403)
    expect((await facilitator.get('/admin/platforms/new')).body).toContain('réservée aux administrateurs')
    expect((await facilitator.get('/admin/platforms/lens-lievin')).statusCode).toBe(403)
    const token = csrfToken((await facilitator.get('/admin/p/lens-lievin/communes')).body)
    expect((await facilitator.post('/admin/platforms/lens-lievin/archive', { _csrf: token, confirm: 'lens-lievin' })).statusCode).toBe(403)
    expect((await facilitator.post('/admin/platforms', { ...ALSACE, _csrf: token })).statusCode).toBe(403)
    expect((await platforms()).map((p) => [p.slug, p.archived_at])).toEqual([['lens-lievin', null]])
    const anon = new Client(t.app)
    expect((await anon.get('/admin/platforms')).headers.location).toBe('/login?next=%2Fadmin%2Fplatforms')
    expect((await anon.post('/admin/platforms', {})).statusCode).toBe(401)
    // The layout's link is the administrators' alone.
    expect((await facilitator.get('/admin/p/lens-lievin')).body).not.toContain('href="/admin/platforms"')
    expect((await admin.get('/admin/platforms')).body).toContain('href="/admin/platforms"')
  })

  it('creates a platform in Alsace-Moselle from the form, and its year is planned off Good Friday and 26 December', async () => {
    const res = await create(ALSACE)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe('/admin/platforms/strasbourg?created=1')
    const p = await platform('strasbourg')
    expect(p).toMatchObject({ country: 'FR', region: '67', timezone: 'Europe/Paris', rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1', itinerant: 1, skip_months: '8', archived_at: null })
    const communes = await t.db.selectFrom('commune').select(['name', 'postcode', 'code']).where('platform_id', '=', p.id).orderBy('name').execute()
    expect(communes).toEqual([
      { name: 'Illkirch-Graffenstaden', postcode: '67400', code: '67218' }, { name: 'Schiltigheim', postcode: '67300', code: '67447' },
      { name: 'Strasbourg', postcode: '67000', code: '67482' },
    ])
    const created = await admin.get(res.headers.location as string)
    expect(created.body).toContain('La plateforme est créée')
    expect(created.body).toContain('href="/admin/p/strasbourg/plan"')

    // The administrator asked to facilitate it: the planner proposes its usual months, and moves its holidays.
    const plan = await admin.get('/admin/p/strasbourg/plan')
    expect(plan.statusCode).toBe(200)
    expect(plan.body).toMatch(/value="8" checked/)
    expect(plan.body).not.toMatch(/value="1" checked/)
    for (const year of ['2025', '2027']) {
      expect((await admin.submit('/admin/p/strasbourg/plan', { year, skip: '8', start_time: '09:00', end_time: '12:00' })).statusCode).toBe(303)
    }
    const sessions = await sessionsOf('strasbourg')
    const dates = sessions.map((s) => s.date)
    // 2027-03-26, the last Friday of March, is Good Friday in Alsace-Moselle; 2025-12-26 is St Stephen's Day there.
    expect(dates).toContain('2027-03-19')
    expect(dates).not.toContain('2027-03-26')
    expect(sessions.find((s) => s.date === '2027-03-19')!.moved_because).toBe('Jour férié : Vendredi saint (26 mars)')
    expect(dates).toContain('2025-12-19')
    expect(sessions.find((s) => s.date === '2025-12-19')!.moved_because).toBe('Jour férié : Lendemain de Noël (26 décembre)')
    // The national calendar keeps those Fridays.
    const lensFacilitator = facilitator
    await lensFacilitator.submit('/admin/p/lens-lievin/plan', { year: '2027', skip: '8', start_time: '09:00', end_time: '12:00' })
    expect((await sessionsOf('lens-lievin')).map((s) => s.date)).toContain('2027-03-26')
  })

  it('creates a Belgian platform meeting at one venue from an uploaded communes file; its sessions are there, in Brussels time', async () => {
    const res = await upload({ ...LUXEMBOURG, communes_file: { filename: 'luxembourg-be-communes.csv', content: LUXEMBOURG_CSV } })
    expect(res.statusCode).toBe(303)
    const p = await platform('ardenne')
    expect(p).toMatchObject({ country: 'BE', region: null, timezone: 'Europe/Brussels', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', default_start: '14:00', default_end: '16:30', itinerant: 0, skip_months: '7,8' })
    const communes = await t.db.selectFrom('commune').selectAll().where('platform_id', '=', p.id).execute()
    expect(communes).toHaveLength(43)
    const venue = await t.db.selectFrom('venue').selectAll().where('id', '=', p.home_venue_id!).executeTakeFirstOrThrow()
    expect(venue).toMatchObject({ name: 'Local de la Fabrique', address: 'Square Albert 1er, B-6700 Arlon', commune_id: communes.find((c) => c.name === 'Arlon')!.id })

    await admin.submit('/admin/p/ardenne/plan', { year: '2025', skip: ['7', '8'], start_time: '14:00', end_time: '16:30' })
    const sessions = await sessionsOf('ardenne')
    expect(sessions).toHaveLength(10)
    expect(sessions.every((s) => s.venue_id === venue.id && s.commune_id === venue.commune_id)).toBe(true)
    // 11 November 2025, the second Tuesday, is Armistice Day in Belgium: one week earlier.
    const november = sessions.find((s) => s.date.startsWith('2025-11'))!
    expect(november).toMatchObject({ date: '2025-11-04', moved_because: 'Jour férié : Armistice (11 novembre)' })
    expect(november.starts_at).toBe('2025-11-04T13:00:00.000Z') // 14:00 in Brussels, winter time
    expect(sessions.find((s) => s.date === '2025-06-10')!.starts_at).toBe('2025-06-10T12:00:00.000Z') // summer time
  })

  it('refuses bad input with a 400, the form refilled and French messages, and creates nothing', async () => {
    await create(ALSACE)
    const before = await platforms()
    const cases: Array<[Record<string, string | string[]>, string, RegExp]> = [
      [{ slug: 'strasbourg' }, 'slug', /déjà celui d’une autre plateforme/],
      [{ slug: 'Province Lux' }, 'slug', /Minuscules sans accent/],
      [{ slug: 'admin' }, 'slug', /réservé/],
      [{ country: 'XX' }, 'country', /Pays inconnu/],
      [{ region: '75' }, 'region', /Région inconnue/],
      [{ timezone: 'Mars/Olympus' }, 'timezone', /Fuseau horaire inconnu/],
      [{ timezone: '+01:00' }, 'timezone', /Fuseau horaire inconnu/],
      [{ contact_email: 'pas-une-adresse' }, 'contact_email', /Adresse e-mail invalide/],
      [{ rrule: 'FREQ=HOURLY' }, 'rrule', /fréquence/],
      [{ default_end: '08:00' }, 'default_end', /fin doit suivre/],
      [{ itinerant: 'no', venue_name: 'Salle', venue_address: '1 rue', venue_commune: 'Colmar' }, 'venue_commune', /pas dans la liste/],
      [{ communes: 'Colmar;6800;68066\nRiquewihr;680\n' }, 'communes', /contient 2 erreurs/],
    ]
    for (const [change, field, message] of cases) {
      const res = await create({ ...ALSACE, slug: 'colmar', name: 'Plateforme de Colmar', ...change })
      expect(res.statusCode, JSON.stringify(change)).toBe(400)
      expect(res.body).toContain('<title>Erreur : Nouvelle plateforme')
      expect(res.body, field).toMatch(new RegExp(`id="${field}-error">[^<]*${message.source}`))
      expect(res.body).toContain('value="Plateforme de Colmar"') // refilled
    }
    // The communes' errors are listed by line, and the pasted list comes back to be fixed.
    const bad = await create({ ...ALSACE, slug: 'colmar', communes: 'nom;cp\nColmar;68000\ncolmar;68000\nRiquewihr;680\n' })
    expect(bad.body).toContain('Ligne 3 : « colmar » figure déjà ligne 2.')
    expect(bad.body).toContain('Ligne 4 : Code postal invalide : « 680 »')
    expect(bad.body).toContain('Colmar;68000\ncolmar;68000\nRiquewihr;680')
    const badFile = await upload({ ...LUXEMBOURG, communes_file: { filename: 'x.csv', content: Buffer.from('name;postcode\nArlon;670\n') } })
    expect(badFile.statusCode).toBe(400)
    expect(badFile.body).toContain('Ligne 2 : Code postal invalide : « 670 » (4 chiffres en Belgique).')
    expect(await platforms()).toEqual(before)
    expect(await t.db.selectFrom('commune').selectAll().where('name', '=', 'Colmar').execute()).toEqual([])
  })

  it('archives a platform (typed slug), which then answers 410 on its public URLs, and restores it', async () => {
    await create(ALSACE)
    await admin.submit('/admin/p/strasbourg/plan', { year: '2027', start_time: '09:00', end_time: '12:00' })
    await admin.submit('/admin/p/strasbourg', { year: '2027' }, '/admin/p/strasbourg/publish')
    const date = (await sessionsOf('strasbourg'))[0]!.date
    const anon = new Client(t.app)
    const publicUrls = ['/strasbourg', '/strasbourg/sessions.json', '/strasbourg/calendar.ics', `/strasbourg/sessions/${date}`, `/strasbourg/sessions/${date}.ics`, '/strasbourg/communes/strasbourg/calendar.ics']
    for (const url of publicUrls) expect((await anon.get(url)).statusCode, url).toBe(200)
    expect((await anon.get('/')).body).toContain('href="/strasbourg"')

    // An empty or mistaken confirmation changes nothing.
    const wrong = await admin.submit('/admin/platforms/strasbourg', { confirm: 'strasbourgg' }, '/admin/platforms/strasbourg/archive')
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('tapez l&#39;identifiant de la plateforme : strasbourg')
    expect((await platform('strasbourg')).archived_at).toBeNull()

    const res = await admin.submit('/admin/platforms/strasbourg', { confirm: 'strasbourg' }, '/admin/platforms/strasbourg/archive')
    expect(res.headers.location).toBe('/admin/platforms?archived=strasbourg')
    expect((await platform('strasbourg')).archived_at).toBe(t.clock.now().toISOString())
    for (const url of publicUrls) {
      const gone = await anon.get(url)
      expect(gone.statusCode, url).toBe(410)
      expect(gone.body).toContain('n&#39;est plus publiée sur ce site')
    }
    expect((await anon.get('/')).body).not.toContain('href="/strasbourg"')
    // Its data is kept; its facilitators' pages are closed; the administrators still see it.
    expect((await sessionsOf('strasbourg')).length).toBeGreaterThan(0)
    expect((await admin.get('/admin/p/strasbourg')).statusCode).toBe(404)
    const list = await admin.get('/admin/platforms')
    expect(list.body).toContain('Plateformes archivées')
    // Its slug is never reused.
    const again = await create({ ...ALSACE, name: 'Autre' })
    expect(again.statusCode).toBe(400)
    expect(again.body).toContain('a servi à une plateforme archivée')

    const restored = await admin.submit('/admin/platforms', {}, '/admin/platforms/strasbourg/restore')
    expect(restored.headers.location).toBe('/admin/platforms/strasbourg?restored=1')
    for (const url of publicUrls) expect((await anon.get(url)).statusCode, url).toBe(200)
  })

  it('edits a platform: fields, added communes, its venue; the zone cannot change once it has sessions', async () => {
    await create(ALSACE)
    const edit = await admin.get('/admin/platforms/strasbourg')
    expect(edit.body).toContain('value="La Fabrik à projets — Strasbourg"')
    expect(edit.body).toMatch(/<option value="67" selected>Alsace-Moselle : Bas-Rhin \(67\)<\/option>/)
    const changed = { ...ALSACE, name: 'Fabrik Eurométropole', rule_week: '3', rule_day: 'TH', itinerant: 'no', venue_name: 'Maison des associations', venue_address: '1a place des Orphelins', venue_commune: 'Strasbourg', communes: 'Lingolsheim;67380;67267\nStrasbourg;67000;67482\n' }
    const res = await admin.submit('/admin/platforms/strasbourg', changed)
    expect(res.headers.location).toBe('/admin/platforms/strasbourg?saved=1&communes=1')
    const p = await platform('strasbourg')
    expect(p).toMatchObject({ name: 'Fabrik Eurométropole', rrule: 'FREQ=MONTHLY;BYDAY=TH;BYSETPOS=3', itinerant: 0, slug: 'strasbourg' })
    expect(await t.db.selectFrom('commune').select('name').where('platform_id', '=', p.id).execute()).toHaveLength(4)
    // The same venue named again is the same venue.
    await admin.submit('/admin/platforms/strasbourg', changed)
    expect(await t.db.selectFrom('venue').selectAll().where('platform_id', '=', p.id).execute()).toHaveLength(1)

    await admin.submit('/admin/p/strasbourg/plan', { year: '2027', start_time: '09:00', end_time: '12:00' })
    const zone = await admin.submit('/admin/platforms/strasbourg', { ...changed, timezone: 'Europe/Berlin' })
    expect(zone.statusCode).toBe(400)
    expect(zone.body).toContain('Le fuseau horaire ne peut plus changer')
    expect((await platform('strasbourg')).timezone).toBe('Europe/Paris')
    expect((await admin.get('/admin/platforms/nowhere')).statusCode).toBe(404)
  })

  it('lists every platform with its next session, facilitators and figures of the year', async () => {
    await create(ALSACE)
    await admin.submit('/admin/p/strasbourg/plan', { year: '2026', start_time: '09:00', end_time: '12:00' })
    await admin.submit('/admin/p/strasbourg', { year: '2026' }, '/admin/p/strasbourg/publish')
    const list = await admin.get('/admin/platforms')
    expect(list.statusCode).toBe(200)
    const card = list.body.slice(list.body.indexOf('id="p-strasbourg"'))
    expect(card).toContain('Vendredi 27 novembre 2026') // the next one after 23 November
    expect(card).toContain('Camille Animatrice') // the administrator, who chose to facilitate it
    expect(card).toMatch(/En 2026<\/dt><dd>10 séance\(s\) tenue\(s\) sur 12 publiée\(s\)/)
    expect(list.body).toContain('le dernier vendredi du mois, 9 h – 12 h, itinérante')
  })
})
