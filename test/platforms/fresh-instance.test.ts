import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withLinks } from '../../src/mail/links.js'
import { hashPassword } from '../../src/platforms/passwords.js'
import { setAdmin, upsertFacilitator } from '../../src/platforms/store.js'
import { codeAt } from '../../src/platforms/totp.js'
import { formatLongDate } from '../../src/calendar/zoned.js'
import { projectRoot } from '../../src/web/views.js'
import { buildTestApp, Client, csrfToken, type TestApp } from '../helpers/app.js'
import { multipart } from '../helpers/multipart.js'

// Issue 17's "Done when", walked from end to end on a fresh instance with no demo: after `user:add` (its own
// functions), everything happens in the pages — an administrator creates the platform of another territory
// and imports its communes from a CSV file, requires two-factor login on it, invites a colleague from the
// Équipe page; the colleague opens the mail's link, chooses a password, enrols, logs in with password + code,
// plans the year from the proposal and publishes it; the public pages list the sessions.

const COMMUNES_CSV = readFileSync(join(projectRoot(), 'src', 'demo', 'data', 'luxembourg-be-communes.csv'))
const ADMIN = { email: 'admin@reseau.example.org', password: 'le mot de passe de l’administratrice' }
const COLLEAGUE = { name: 'Dominique Collègue', email: 'dominique@ardenne.example.org', password: 'mon mot de passe choisi' }


/** The enrolment key shown on a page, and the hidden enrolment field that goes with it. */
function enrolmentOf(html: string) {
  const key = /<code class="totp-key">([A-Z2-7 ]+)<\/code>/.exec(html)![1]!.replace(/ /g, '')
  const enrolment = /name="enrolment" value="([^"]+)"/.exec(html)![1]!
  return { key, enrolment }
}

/** What a browser submits from the planner's proposal: the text fields, checked months, each select's choice. */
function proposalForm(html: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = { _csrf: csrfToken(html) }
  for (const name of ['year', 'start_time', 'end_time']) form[name] = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html)![1]!
  form.skip = [...html.matchAll(/name="skip" value="(\d+)" checked/g)].map((m) => m[1]!)
  for (const [, name, options] of html.matchAll(/<select id="[^"]+" name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    form[name!] = /<option value="([^"]*)" selected>/.exec(options!)?.[1] ?? ''
  }
  return form
}

describe('a fresh instance, from user:add to a published year', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
  })
  afterEach(() => t.close())

  it('an administrator creates a platform with its communes and requires two-factor; an invited colleague enrols, plans and publishes the year', async () => {
    // Nothing but the migrated schema: no platform, no account.
    expect(await t.db.selectFrom('platform').select('id').execute()).toEqual([])
    expect(await t.db.selectFrom('facilitator').select('id').execute()).toEqual([])

    // `npm run user:add -- --admin --email … --name …` (scripts/user-add.ts): the same two calls.
    const { id: adminId, created } = await upsertFacilitator(t.db, {
      email: ADMIN.email, name: 'Alix Administratrice', passwordHash: await hashPassword(ADMIN.password), platformId: null, now: t.clock.now().toISOString(),
    })
    expect(created).toBe(true)
    await setAdmin(t.db, adminId)

    // The administrator logs in and finds the Plateformes page empty.
    const admin = new Client(t.app, {}, '10.3.0.1')
    expect((await admin.login(ADMIN.email, ADMIN.password)).headers.location).toBe('/admin')
    const list = await admin.get('/admin/platforms')
    expect(list.statusCode).toBe(200)
    expect(list.body).toContain('href="/admin/platforms/new"')

    // Creates the platform of another territory from the form, its communes imported from a CSV file.
    const form = await admin.get('/admin/platforms/new')
    expect(form.statusCode).toBe(200)
    expect(form.body).toMatch(/name="facilitate" value="yes" checked/)
    const upload = multipart({
      _csrf: csrfToken(form.body), name: 'La Fabrique à projets — Ardenne', slug: 'ardenne', country: 'BE', region: '', timezone: '',
      contact_email: 'fabrique@ardenne.example.org', contact_name: 'Émilie Thiry', rule_week: '2', rule_day: 'TU', rrule: '',
      default_start: '14:00', default_end: '16:30', itinerant: 'yes', venue_name: '', venue_address: '', venue_commune: '',
      skip: ['7', '8'], communes: '', facilitate: 'yes', communes_file: { filename: 'communes.csv', content: COMMUNES_CSV },
    })
    const createdRes = await admin.request('POST', '/admin/platforms', undefined, { 'content-type': upload.type }, upload.body)
    expect(createdRes.statusCode).toBe(303)
    expect(createdRes.headers.location).toBe('/admin/platforms/ardenne?created=1')
    const createdPage = await admin.get(createdRes.headers.location as string)
    expect(createdPage.body).toContain('<strong>La plateforme est créée</strong>, avec 43 commune(s)')
    const communes = await admin.get('/admin/p/ardenne/communes')
    expect(communes.statusCode).toBe(200)
    for (const name of ['Arlon', 'Bastogne', 'Virton']) expect(communes.body).toContain(name)
    expect((await admin.get('/admin/platforms')).body).toContain('La Fabrique à projets — Ardenne')

    // Requires two-factor login on it, from the Comptes page: the administrator, its facilitator without it, is logged out…
    const accounts = await admin.get('/admin/accounts')
    expect(accounts.body).toContain('L’exiger sur La Fabrique à projets — Ardenne')
    const required = await admin.post('/admin/platforms/ardenne/two-factor', { require: 'yes', _csrf: csrfToken(accounts.body) })
    expect(required.headers.location).toBe('/admin/accounts?done=required')
    expect((await admin.get('/admin/accounts')).statusCode).toBe(303)
    // …and enrols at the next login, with the code of the key shown.
    expect((await admin.login(ADMIN.email, ADMIN.password)).headers.location).toBe('/login/totp-setup')
    const adminSetup = await admin.get('/login/totp-setup')
    expect(adminSetup.body).toContain('exige la double authentification')
    const adminKey = enrolmentOf(adminSetup.body)
    const adminEnrolled = await admin.post('/login/totp-setup', { enrolment: adminKey.enrolment, code: codeAt(adminKey.key, t.clock.now()), _csrf: csrfToken(adminSetup.body) })
    expect(adminEnrolled.statusCode).toBe(200)
    expect([...adminEnrolled.body.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)]).toHaveLength(10)

    // Invites a colleague from the Équipe page.
    const team = await admin.get('/admin/p/ardenne/equipe')
    expect(team.statusCode).toBe(200)
    expect(team.body).toContain(ADMIN.email)
    const invited = await admin.post('/admin/p/ardenne/equipe', { name: COLLEAGUE.name, email: COLLEAGUE.email, _csrf: csrfToken(team.body) })
    expect(invited.statusCode).toBe(303)
    expect((await admin.get('/admin/p/ardenne/equipe')).body).toContain('Invitations en attente')

    // The colleague opens the link of the mail in the outbox…
    const mail = await t.db.selectFrom('outbox').selectAll().where('kind', '=', 'facilitator.invitation').executeTakeFirstOrThrow()
    expect(mail.to_email).toBe(COLLEAGUE.email)
    expect(mail.subject).toContain('La Fabrique à projets — Ardenne')
    const link = /http:\/\/fabrik\.test(\/invitation\/[A-Za-z0-9_-]{43})/.exec(withLinks(mail, t.config).text_body)![1]!
    const colleague = new Client(t.app, {}, '10.3.0.2')
    const invitation = await colleague.get(link)
    expect(invitation.statusCode).toBe(200)
    expect(invitation.body).toContain(COLLEAGUE.email)
    // …chooses a password, and is sent to enrol before any page.
    const accepted = await colleague.post(link, { password: COLLEAGUE.password, confirm: COLLEAGUE.password, _csrf: csrfToken(invitation.body) })
    expect(accepted.statusCode).toBe(303)
    expect(accepted.headers.location).toBe('/login/totp-setup')
    expect((await colleague.get('/admin/p/ardenne')).statusCode).toBe(303)
    const setup = await colleague.get('/login/totp-setup')
    expect(setup.statusCode).toBe(200)
    expect(setup.body).toContain('exige la double authentification')
    expect(setup.body).toContain('src="data:image/svg+xml;base64,')
    const { key, enrolment } = enrolmentOf(setup.body)
    const enrolled = await colleague.post('/login/totp-setup', { enrolment, code: codeAt(key, t.clock.now()), _csrf: csrfToken(setup.body) })
    expect(enrolled.statusCode).toBe(200)
    expect([...enrolled.body.matchAll(/<li><code>([a-z0-9-]{14})<\/code><\/li>/g)]).toHaveLength(10)
    expect((await colleague.get(link)).statusCode).toBe(410)

    // Logs in again, in another browser, with the password then a code (the next one: the enrolment's is spent).
    t.clock.advance(30_000)
    const browser = new Client(t.app, {}, '10.3.0.3')
    expect((await browser.login(COLLEAGUE.email, COLLEAGUE.password)).headers.location).toBe('/login/code')
    expect((await browser.get('/admin/p/ardenne')).statusCode).toBe(303)
    const codeForm = await browser.get('/login/code')
    const loggedIn = await browser.post('/login/code', { code: codeAt(key, t.clock.now()), _csrf: csrfToken(codeForm.body) })
    expect(loggedIn.statusCode).toBe(303)
    expect(loggedIn.headers.location).toBe('/admin')
    const home = await browser.get('/admin/p/ardenne')
    expect(home.statusCode).toBe(200)
    expect(home.body).toContain('La Fabrique à projets — Ardenne')

    // Plans next year: the proposal (second Tuesdays, July and August skipped, communes in rotation), then "Créer".
    const proposal = await browser.get('/admin/p/ardenne/plan')
    expect(proposal.statusCode).toBe(200)
    expect(proposal.body).toContain('Proposition pour 2027')
    expect(proposal.body).toContain('10 séance(s) à créer')
    expect(proposal.body).toContain('Mois sans séance : juillet, août.')
    const chosen = proposalForm(proposal.body)
    expect(chosen).toMatchObject({ year: '2027', start_time: '14:00', end_time: '16:30', skip: ['7', '8'] })
    const communeChoices = Object.entries(chosen).filter(([name]) => !['_csrf', 'year', 'start_time', 'end_time', 'skip'].includes(name))
    expect(communeChoices).toHaveLength(10)
    expect(communeChoices.every(([, v]) => v !== '')).toBe(true)
    expect(await t.db.selectFrom('session').select('id').execute()).toEqual([]) // a proposal writes nothing
    const planned = await browser.post('/admin/p/ardenne/plan', chosen)
    expect(planned.statusCode).toBe(303)
    expect(planned.headers.location).toBe('/admin/p/ardenne?year=2027')
    const drafts = await browser.get('/admin/p/ardenne?year=2027')
    expect(drafts.body).toContain('Publier les 10 brouillons de 2027')
    // Nothing public before publication.
    const visitor = new Client(t.app, {}, '10.3.0.4')
    expect((await visitor.get('/ardenne')).body).toContain('Aucune réunion annoncée pour le moment.')

    // Publishes it.
    const published = await browser.post('/admin/p/ardenne/publish', { year: '2027', _csrf: csrfToken(drafts.body) })
    expect(published.statusCode).toBe(303)
    expect(published.headers.location).toBe('/admin/p/ardenne?year=2027')
    expect((await browser.get('/admin/p/ardenne?year=2027')).body).not.toContain('brouillons de 2027')

    // The public pages list the published sessions, in the communes of the rotation.
    const sessions = await t.db.selectFrom('session').innerJoin('platform', 'platform.id', 'session.platform_id')
      .leftJoin('commune', 'commune.id', 'session.commune_id')
      .select(['session.date', 'session.status', 'commune.name as commune']).where('platform.slug', '=', 'ardenne').orderBy('session.date').execute()
    expect(sessions).toHaveLength(10)
    expect(sessions.every((s) => s.status === 'published' && s.commune !== null)).toBe(true)
    expect(sessions.map((s) => s.date.slice(5, 7))).not.toContain('07')
    const root = await visitor.get('/')
    expect([root.statusCode, root.headers.location]).toEqual([302, '/ardenne'])
    const publicPage = await visitor.get('/ardenne')
    expect(publicPage.statusCode).toBe(200)
    expect(publicPage.body).toContain('<h1>La Fabrique à projets — Ardenne</h1>')
    for (const s of sessions) {
      expect(publicPage.body).toContain(formatLongDate(s.date))
      expect(publicPage.body).toContain(`href="http://fabrik.test/ardenne/sessions/${s.date}"`)
    }
    const json = JSON.parse((await visitor.get('/ardenne/sessions.json')).body) as unknown
    expect(JSON.stringify(json)).toContain(sessions[0]!.date)
    const one = await visitor.get(`/ardenne/sessions/${sessions[0]!.date}`)
    expect(one.statusCode).toBe(200)
    expect(one.body).toContain(sessions[0]!.commune!)
    const feed = await visitor.get('/ardenne/calendar.ics')
    expect(feed.statusCode).toBe(200)
    expect(feed.body.match(/BEGIN:VEVENT/g)).toHaveLength(10)
  })
})
