import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csrfToken } from '../helpers/app.js'
import { buildWorld, routeTable, type World } from './world.js'

// Every route × (anonymous, facilitator of another platform, facilitator of this platform, instance
// administrator): the expected answer; a facilitator never reaches another platform's object by changing an
// id, nor the administrators' pages; no GET writes anything.

type Role = 'anon' | 'other' | 'own' | 'admin'
const ROLES: Role[] = ['anon', 'other', 'own', 'admin']

/** The concrete URL for a route pattern, with this platform's objects (or another platform's: `ids`). */
function concrete(pattern: string, ids: Record<string, number | string>): string {
  if (pattern === '/*') return '/assets/fabrik.css'
  const id = (name: string) => {
    const v = ids[name]
    if (v === undefined) throw new Error(`no value for ${name} in ${pattern}`)
    return String(v)
  }
  return pattern.replace(/:([A-Za-z]+)/g, (_, param: string, offset: number) => {
    const before = pattern.slice(0, offset)
    switch (param) {
      case 'slug': case 'platform': return String(ids.slug ?? 'lens-lievin')
      case 'date': return before.endsWith('/sessions/') && /\/pitch(es)?(\/|$)/.test(pattern.slice(offset)) ? id('pitchDate') : id('date')
      case 'commune': return id('commune')
      case 'token': return before.startsWith('/pitch') ? id('pitchToken') : before.startsWith('/login/reset') ? id('resetToken') : before.startsWith('/invitation') ? id('invitationToken') : before.startsWith('/referrals') ? id('referralToken') : id('rsvpToken')
      case 'file': return id('feedFile')
      case 'contactId': return id('contact')
      case 'invitationId': return id('invitation')
      case 'pitchId': return id('pitch')
      case 'referralId': return id('referral')
      case 'adviceId': return id('advice')
      case 'id': {
        const owner = /\/(venues|partners|courriers|initiatives|pitches|accounts)\/$/.exec(before)?.[1]
        const map: Record<string, string> = { venues: 'venue', partners: 'partner', courriers: 'outbox', initiatives: 'initiative', pitches: 'pitch', accounts: 'account' }
        if (!owner) throw new Error(`unclassified :id in ${pattern}: add it to the route table test`)
        return id(map[owner]!)
      }
      default: throw new Error(`unclassified :${param} in ${pattern}: add it to the route table test`)
    }
  })
}

const isAdmin = (url: string) => url.startsWith('/admin')
/** The instance administrators' pages: facilitators are refused (403) whatever platform they run. */
const isInstanceAdmin = (url: string) => url === '/admin/platforms' || url.startsWith('/admin/platforms/') || url === '/admin/accounts' || url.startsWith('/admin/accounts/')
  || url === '/admin/network' || url === '/admin/network.csv'
/** One's own account page (two-factor login): every login reaches it, whatever platforms it runs. */
const isOwnAccount = (url: string) => url === '/admin/account' || url.startsWith('/admin/account/')

function expectedGet(url: string, role: Role): number | 'ok' {
  if (url === '/login') return role === 'anon' ? 200 : 303
  if (url === '/admin') return role === 'anon' ? 303 : 'ok'
  // The code step after the password: without the pending state of a password just checked, back to /login.
  if (url === '/login/code' || url === '/login/totp-setup') return 303
  if (isOwnAccount(url)) return role === 'anon' ? 303 : 200
  if (isInstanceAdmin(url)) return role === 'anon' ? 303 : role === 'admin' ? 200 : 403
  // The administrator facilitates no platform: another platform's pages, like any facilitator's.
  if (isAdmin(url)) return role === 'anon' ? 303 : role === 'other' || role === 'admin' ? 404 : 200
  return 200
}

describe('the route table', () => {
  let w: World
  let routes: Array<{ method: string; url: string }>
  beforeAll(async () => {
    w = await buildWorld()
    routes = routeTable(w.t.app)
  }, 120_000)
  afterAll(() => w.t.close())

  const client = (role: Role) => w[role]

  it('lists the routes we expect (a new route must be classified here)', () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`)
    expect(urls).toContain('GET /rsvp/:token')
    // The year planner (preview on GET, creation on POST) and the platform's home at a glance (dashboard/).
    expect(urls).toContain('GET /admin/p/:slug/plan')
    expect(urls).toContain('POST /admin/p/:slug/plan')
    expect(urls.filter((u) => u === 'GET /admin/p/:slug' || u === 'GET /admin/p/:slug/')).not.toEqual([])
    expect(urls).toContain('POST /pitch/:token')
    // "Vérifiez votre messagerie" after a booking by a known address: a page anyone may open.
    expect(urls).toContain('GET /:platform/sessions/:date/pitch/envoye')
    expect(urls).toContain('GET /:platform/sessions/:date')
    // "Mot de passe oublié": the request form, and the emailed one-time link's form.
    expect(urls).toContain('POST /login/forgot')
    expect(urls).toContain('GET /login/reset/:token')
    // Équipe: a colleague's invitation and its one-time link; removal names the person in the form, not the URL.
    expect(urls).toContain('POST /admin/p/:slug/equipe/retirer')
    expect(urls).toContain('GET /invitation/:token')
    // Bilan (#21): the year's figures as a page, report.json and report.csv; the targets form.
    expect(urls).toContain('GET /admin/p/:slug/report.json')
    expect(urls).toContain('POST /admin/p/:slug/indicators/targets')
    // The whole Bilan as a workbook, and the network's Bilan for the instance administrators (page and CSV).
    expect(urls).toContain('GET /admin/p/:slug/report.xlsx')
    expect(urls).toContain('GET /admin/network')
    expect(urls).toContain('GET /admin/network.csv')
    // Données personnelles (#17 / tracker 22): find, export and erase a person (POSTs), and the audit trail.
    expect(urls).toContain('POST /admin/p/:slug/donnees-personnelles/effacer')
    expect(urls).toContain('GET /admin/p/:slug/donnees-personnelles/journal')
    expect(urls).toContain('GET /:platform/confidentialite')
    // Tracker 22/23: "Mes données" from the personal links; the platform's pages in the /admin/p/:slug scope.
    expect(urls).toContain('POST /pitch/:token/mes-donnees')
    expect(urls).toContain('POST /rsvp/:token/mes-donnees')
    expect(urls).toContain('GET /admin/p/:slug/settings')
    expect(urls).toContain('POST /admin/p/:slug/settings')
    expect(urls).toContain('POST /admin/p/:slug/venues/:id')
    // The session's record at the table (#19): attendance, then each pitch (the session's date in the URL).
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/record/attendance')
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/record')
    // What a session leaves behind (#20): advice corrected on the record, the sign-in sheet, an initiative's journey.
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/record/advice/:adviceId')
    expect(urls).toContain('GET /admin/p/:slug/sessions/:date/emargement')
    expect(urls).toContain('GET /admin/p/:slug/initiatives/:id/parcours')
    // The minutes (#20): the draft, the preview per reader, the send button, the A4 view (the session's date in the URL).
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/minutes')
    expect(urls).toContain('GET /admin/p/:slug/sessions/:date/minutes/preview')
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/minutes/send')
    expect(urls).toContain('GET /admin/p/:slug/sessions/:date/minutes/print')
    // Orientations (#19): the partner's link, the facilitator's list, a referral, its new link.
    expect(urls).toContain('POST /referrals/:token')
    expect(urls).toContain('GET /admin/p/:slug/referrals')
    expect(urls).toContain('POST /admin/p/:slug/referrals/:referralId')
    expect(urls).toContain('POST /admin/p/:slug/referrals/:referralId/link')
    // Two-factor login (#17): the code step, one's own account page, the administrators' accounts page.
    expect(urls).toContain('POST /login/code')
    expect(urls).toContain('POST /admin/account/totp')
    expect(urls).toContain('POST /admin/account/totp/disable')
    expect(urls).toContain('POST /admin/account/totp/recovery')
    expect(urls).toContain('POST /admin/accounts/:id/totp-reset')
    expect(urls).toContain('POST /admin/accounts/:id/role')
    expect(urls).toContain('POST /login/totp-setup')
    expect(urls).toContain('POST /admin/platforms/:slug/two-factor')
    // Confirmation pages (#24 §6): what will be sent to whom, before "Annuler la séance", "nouveau lien", "Retirer".
    expect(urls).toContain('GET /admin/p/:slug/sessions/:date/cancel')
    expect(urls).toContain('GET /admin/p/:slug/sessions/:date/partners/:invitationId/resend')
    expect(urls).toContain('GET /pitch/:token/retirer')
    // Undo (#24 §6): "Rétablir la séance" asks first, then restores.
    expect(urls).toContain('GET /admin/p/:slug/sessions/:date/restore')
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/restore')
    // "Annuler le nouveau lien" while its message waits (partners/link-undo.ts).
    expect(urls).toContain('POST /admin/p/:slug/sessions/:date/partners/:invitationId/resend/undo')
    for (const r of routes) expect(() => concrete(r.url, w.ids)).not.toThrow()
  })

  it('answers every GET as expected for each role, and no GET or HEAD writes anything', async () => {
    w.detector.writes = []
    const failures: string[] = []
    for (const role of ROLES) {
      for (const r of routes.filter((x) => x.method === 'GET')) {
        const url = concrete(r.url, w.ids)
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await client(role).request(method, url)
          const want = expectedGet(r.url, role)
          const ok = want === 'ok' ? res.statusCode < 400 : res.statusCode === want
          if (!ok) failures.push(`${role} ${method} ${url} → ${res.statusCode} (expected ${want})`)
          if (want === 303 && isAdmin(r.url) && role === 'anon' && !String(res.headers.location).startsWith('/login')) failures.push(`${role} ${url} → ${res.headers.location}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(w.detector.writes).toEqual([])
  })

  it('refuses state changes to those who may not make them, and never a 500', async () => {
    const tokens: Record<Role, string> = {
      anon: csrfToken((await w.anon.get('/login')).body),
      other: csrfToken((await w.other.get('/admin/p/autre/communes')).body),
      own: csrfToken((await w.own.get('/admin/p/lens-lievin/communes')).body),
      admin: csrfToken((await w.admin.get('/admin/platforms')).body),
    }
    const failures: string[] = []
    // Logging out last: it ends the login the other tokens are bound to.
    const posts = routes.filter((x) => x.method === 'POST').sort((a, b) => Number(a.url === '/logout') - Number(b.url === '/logout'))
    for (const r of posts) {
      const url = concrete(r.url, w.ids)
      for (const role of ROLES) {
        // Empty forms: nothing valid is submitted, so nothing changes even when allowed.
        const res = await client(role).post(url, { _csrf: tokens[role] })
        const s = res.statusCode
        if (s >= 500) failures.push(`${role} POST ${url} → ${s}`)
        if (isInstanceAdmin(r.url)) {
          const want = role === 'anon' ? 401 : role === 'admin' ? null : 403
          if (want !== null && s !== want) failures.push(`${role} POST ${url} → ${s} (expected ${want})`)
          if (role === 'admin' && [401, 403, 404].includes(s)) failures.push(`admin POST ${url} → ${s}`)
        } else if (isOwnAccount(r.url)) {
          if (role === 'anon' && s !== 401) failures.push(`anon POST ${url} → ${s} (expected 401)`)
          if (role !== 'anon' && [401, 403, 404].includes(s)) failures.push(`${role} POST ${url} → ${s}`)
        } else if (isAdmin(r.url)) {
          const want = role === 'anon' ? 401 : role === 'other' || role === 'admin' ? 404 : null
          if (want !== null && s !== want) failures.push(`${role} POST ${url} → ${s} (expected ${want})`)
          if (role === 'own' && [401, 403, 404].includes(s)) failures.push(`own POST ${url} → ${s}`)
        } else if (s === 403) {
          failures.push(`${role} POST ${url} → 403 with a valid CSRF token`)
        }
      }
    }
    expect(failures).toEqual([])
  })

  it("never lets a facilitator reach another platform's object by changing an id in the URL", async () => {
    await w.own.login('camille@lens.example.org')
    const token = csrfToken((await w.own.get('/admin/p/lens-lievin/communes')).body)
    const failures: string[] = []
    for (const r of routes.filter((x) => isAdmin(x.url) && !isInstanceAdmin(x.url) && /:(id|contactId|invitationId|date|pitchId|referralId|adviceId)/.test(x.url))) {
      const url = concrete(r.url, { ...w.ids, ...w.foreign, slug: 'lens-lievin' })
      const res = r.method === 'GET' ? await w.own.get(url) : await w.own.post(url, { _csrf: token })
      if (res.statusCode !== 404) failures.push(`${r.method} ${url} → ${res.statusCode}`)
    }
    expect(failures).toEqual([])
  })

  // Last: it archives the other platform (and restores it).
  it('answers 410 on every public URL of an archived platform, GET or POST, and lists it no more', async () => {
    // The table above logged every role out last.
    for (const [c, email] of [[w.admin, 'ada@fabrik.example.org'], [w.other, 'bruno@autre.example.org']] as const) {
      c.cookies.clear()
      await c.login(email)
    }
    const archived = await w.admin.submit('/admin/platforms/autre', { confirm: 'autre' }, '/admin/platforms/autre/archive')
    expect(archived.statusCode).toBe(303)
    const ids = { ...w.ids, ...w.foreign, slug: 'autre', commune: 'arlon' }
    const token = csrfToken((await w.anon.get('/login')).body)
    const failures: string[] = []
    const publicRoutes = routes.filter((x) => x.url.startsWith('/:platform'))
    expect(publicRoutes.length).toBeGreaterThan(5)
    for (const r of publicRoutes) {
      const url = concrete(r.url, ids)
      const res = r.method === 'GET' ? await w.anon.get(url) : await w.anon.post(url, { _csrf: token })
      if (res.statusCode !== 410) failures.push(`${r.method} ${url} → ${res.statusCode}`)
    }
    expect(failures).toEqual([])
    expect((await w.anon.get('/')).body).not.toContain('href="/autre"')
    expect((await w.other.get('/admin/p/autre')).statusCode).toBe(404)
    await w.admin.submit('/admin/platforms/autre', {}, '/admin/platforms/autre/restore')
    expect((await w.anon.get('/autre')).statusCode).toBe(200)
  })
})
