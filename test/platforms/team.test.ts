import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { withLinks } from '../../src/mail/links.js'
import { removalDecision } from '../../src/platforms/accounts.js'
import { buildTestApp, Client, createFacilitator, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'
import type { Platform } from '../../src/db/schema.js'

const CHOSEN = 'mon mot de passe choisi'

describe('removalDecision', () => {
  it('never removes the last one, nor someone outside the team', () => {
    expect(removalDecision([1, 2], 2)).toBe('removed')
    expect(removalDecision([1], 1)).toBe('last')
    expect(removalDecision([1, 2], 3)).toBe('not-member')
  })
})

describe('Équipe: colleagues of a platform', () => {
  let t: TestApp
  let p: Platform
  let other: Platform
  let camille: Client
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    other = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
    camille = await facilitatorClient(t.app, t.db, [p.id])
  })
  afterEach(() => t.close())

  async function invitationLink(): Promise<string> {
    const row = await t.db.selectFrom('outbox').selectAll().where('kind', '=', 'facilitator.invitation').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(row.text_body).not.toContain('/invitation/')
    expect(row.platform_id).toBeNull()
    return /http:\/\/fabrik\.test(\/invitation\/[A-Za-z0-9_-]{43})/.exec(withLinks(row, t.config).text_body)![1]!
  }

  it('invites a colleague who chooses a password through the link, is logged in and sees the team', async () => {
    const team = await camille.get('/admin/p/test/equipe')
    expect(team.statusCode).toBe(200)
    expect(team.body).toContain('camille@test.example.org')
    const bad = await camille.post('/admin/p/test/equipe', { name: 'Dominique', email: 'pas une adresse', _csrf: csrfToken(team.body) })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('value="Dominique"')
    const sent = await camille.post('/admin/p/test/equipe', { name: 'Dominique Collègue', email: 'Dominique@test.example.org', _csrf: csrfToken(team.body) })
    expect(sent.statusCode).toBe(303)
    const mail = await t.db.selectFrom('outbox').selectAll().where('kind', '=', 'facilitator.invitation').executeTakeFirstOrThrow()
    expect(mail.to_email).toBe('dominique@test.example.org')
    expect(mail.subject).toContain('Plateforme test')
    expect((await camille.get('/admin/p/test/equipe')).body).toContain('Invitations en attente')

    const link = await invitationLink()
    const dominique = new Client(t.app, {}, '10.0.0.2')
    const form = await dominique.get(link)
    expect(form.statusCode).toBe(200)
    expect(form.body).toContain('dominique@test.example.org')
    const short = await dominique.post(link, { password: 'court', confirm: 'court', _csrf: csrfToken(form.body) })
    expect(short.statusCode).toBe(400)
    const done = await dominique.post(link, { password: CHOSEN, confirm: CHOSEN, _csrf: csrfToken(form.body) })
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/admin/p/test')
    const seen = await dominique.get('/admin/p/test/equipe')
    expect(seen.statusCode).toBe(200)
    expect(seen.body).toContain('camille@test.example.org')
    expect((await dominique.get('/admin/p/autre')).statusCode).toBe(404)
    // Single use; and the chosen password logs in.
    expect((await dominique.get(link)).statusCode).toBe(410)
    await new Client(t.app).login('dominique@test.example.org', CHOSEN)
  })

  it('ends an invitation after 7 days (410) and answers 404 to an unknown one', async () => {
    await camille.submit('/admin/p/test/equipe', { name: 'Dominique', email: 'dominique@test.example.org' })
    const link = await invitationLink()
    t.clock.advance(7 * 24 * 3600_000)
    expect((await new Client(t.app).get(link)).statusCode).toBe(410)
    expect((await new Client(t.app).get(`/invitation/${'B'.repeat(43)}`)).statusCode).toBe(404)
  })

  it('adds at once a facilitator of another platform, then removes them; never the last one', async () => {
    const bruno = await createFacilitator(t.db, 'bruno@test.example.org', [other.id])
    expect((await camille.submit('/admin/p/test/equipe', { name: 'Bruno', email: 'bruno@test.example.org' })).statusCode).toBe(303)
    expect(await t.db.selectFrom('outbox').selectAll().execute()).toHaveLength(0)
    const team = await camille.get('/admin/p/test/equipe')
    expect(team.body).toContain('bruno@test.example.org')
    // Bruno now runs two platforms: he switches from the header; Camille, with one, has no switcher.
    const brunoClient = new Client(t.app, {}, '10.0.0.3')
    await brunoClient.login('bruno@test.example.org')
    const header = (await brunoClient.get('/admin/p/autre')).body
    expect(header).toContain('Changer de plateforme')
    expect(header).toContain('href="/admin/p/test"')
    expect(team.body).not.toContain('Changer de plateforme')
    const removed = await camille.post('/admin/p/test/equipe/retirer', { facilitator_id: String(bruno), _csrf: csrfToken(team.body) })
    expect(removed.statusCode).toBe(303)
    expect((await camille.get('/admin/p/test/equipe')).body).not.toContain('bruno@test.example.org')
    // Bruno keeps his own platform.
    expect(await t.db.selectFrom('facilitator_platform').selectAll().where('facilitator_id', '=', bruno).execute()).toEqual([{ facilitator_id: bruno, platform_id: other.id }])

    const me = (await t.db.selectFrom('facilitator').select('id').where('email', '=', 'camille@test.example.org').executeTakeFirstOrThrow()).id
    const last = await camille.post('/admin/p/test/equipe/retirer', { facilitator_id: String(me), _csrf: csrfToken(team.body) })
    expect(last.statusCode).toBe(409)
    expect(last.body).toContain('au moins une personne')
    // Someone of another platform, through this platform's form: nobody here.
    expect((await camille.post('/admin/p/test/equipe/retirer', { facilitator_id: String(bruno), _csrf: csrfToken(team.body) })).statusCode).toBe(404)
    // And another platform's team page does not exist for her.
    expect((await camille.get('/admin/p/autre/equipe')).statusCode).toBe(404)
    expect((await camille.post('/admin/p/autre/equipe/retirer', { facilitator_id: String(bruno), _csrf: csrfToken(team.body) })).statusCode).toBe(404)
    expect((await camille.post('/admin/p/autre/equipe', { name: 'X', email: 'x@test.example.org', _csrf: csrfToken(team.body) })).statusCode).toBe(404)
  })
})
