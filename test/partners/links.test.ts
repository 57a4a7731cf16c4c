import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GUESSES_PER_MINUTE } from '../../src/web/personal-links.js'
import { Client, csrfToken } from '../helpers/app.js'
import { invitations, inviteAll, linksByEmail, outbox, SESSION_PAGE, world, type World } from './helpers.js'

// Issue #25 §6: every personal link has a version and an end; every earlier version answers 410.

const MARC = 'marc.petit@caf.example.org'
const HELENE = 'helene.dupre@caf.example.org'

const feedPath = (html: string) => /href="http:\/\/fabrik\.test(\/feeds\/[A-Za-z0-9_-]{43}\.ics)"/.exec(html)![1]!

describe('RSVP and feed link versions', () => {
  let w: World
  let links: Map<string, string>
  beforeEach(async () => {
    w = await world()
    links = await inviteAll(w)
  })
  afterEach(() => w.t.close())

  it('every earlier link version answers 410', async () => {
    const marc = (await invitations(w.t.db)).find((i) => i.email === MARC)!
    const versions = [links.get(MARC)!]
    for (let i = 0; i < 3; i++) {
      expect((await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/${marc.id}/resend`)).statusCode).toBe(303)
      versions.push((await linksByEmail(w.t.db)).get(MARC)!)
    }
    expect(new Set(versions).size).toBe(4)
    const current = versions.pop()!
    const client = new Client(w.t.app)
    const form = await client.get(current)
    expect(form.statusCode).toBe(200)
    for (const old of versions) {
      for (const method of ['GET', 'HEAD'] as const) expect((await w.t.app.inject({ method, url: old })).statusCode).toBe(410)
      const page = await client.get(old)
      expect(page.body).toContain('Ce lien a été remplacé')
      expect(page.body).toContain('animation@test.example.org')
      expect((await client.post(old, { answer: 'on_site', comment: '', _csrf: csrfToken(form.body) })).statusCode).toBe(410)
    }
    expect((await invitations(w.t.db)).find((i) => i.id === marc.id)).toMatchObject({ answer: 'none', token_version: 3, previous_token_hash: null })
    expect(await w.t.db.selectFrom('retired_link').select(['purpose', 'reason']).execute())
      .toEqual(Array(3).fill({ purpose: 'rsvp', reason: 'replaced' }))

    // A revoked delegate's link says it was taken back.
    const helene = new Client(w.t.app)
    await helene.submit(links.get(HELENE)!, { answer: 'delegate', delegate_name: 'Nina Roux', delegate_email: 'nina@caf.example.org', comment: '' })
    const nina = (await linksByEmail(w.t.db)).get('nina@caf.example.org')!
    await helene.submit(links.get(HELENE)!, { answer: 'declined', comment: '' })
    const revoked = await w.t.app.inject(nina)
    expect(revoked.statusCode).toBe(410)
    expect(revoked.body).toContain('Ce lien a été retiré')
  })

  it('never counts an earlier link as a guess, nor limits a valid one', async () => {
    const marc = (await invitations(w.t.db)).find((i) => i.email === MARC)!
    const old = links.get(MARC)!
    await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/${marc.id}/resend`)
    const codes = []
    for (let i = 0; i < GUESSES_PER_MINUTE * 3; i++) codes.push((await w.t.app.inject({ url: old, remoteAddress: '203.0.113.70' })).statusCode)
    expect(new Set(codes)).toEqual(new Set([410]))
    expect((await w.t.app.inject({ url: (await linksByEmail(w.t.db)).get(MARC)!, remoteAddress: '203.0.113.70' })).statusCode).toBe(200)
  })

  it('"Remplacer le lien de mon agenda": the old feed answers 410, the page and the next emails carry the new one', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const oldFeed = feedPath((await helene.get(link)).body)
    expect((await w.t.app.inject(oldFeed)).statusCode).toBe(200)
    const res = await helene.submit(link, {}, `${link}/feed`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${link}?agenda=nouveau#calendar-title`)
    const page = (await helene.get(res.headers.location as string)).body
    expect(page).toContain("Nouveau lien d'agenda créé : l'ancien ne fonctionne plus.")
    const newFeed = feedPath(page)
    expect(newFeed).not.toBe(oldFeed)
    expect((await w.t.app.inject(oldFeed)).statusCode).toBe(410)
    const feed = await w.t.app.inject(newFeed)
    expect(feed.statusCode).toBe(200)
    expect(feed.body).toContain('BEGIN:VEVENT')
    // "Relancer" writes to Helene again, with the new feed link.
    w.t.clock.advance(2 * 3600_000)
    await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/remind`)
    const reminder = (await outbox(w.t.db)).filter((m) => m.to_email === HELENE).at(-1)!
    expect(reminder.text_body).toContain(`http://fabrik.test${newFeed}`)
    expect(reminder.text_body).not.toContain(oldFeed)
  })

  it("a facilitator replaces a contact's feed link from the directory", async () => {
    const hel = (await invitations(w.t.db)).find((i) => i.email === HELENE)!
    const contact = await w.t.db.selectFrom('contact').selectAll().where('id', '=', hel.contact_id).executeTakeFirstOrThrow()
    const org = `/admin/p/test/partners/${contact.partner_id}`
    const oldFeed = feedPath((await w.t.app.inject(links.get(HELENE)!)).body)
    expect((await w.admin.get(org)).body).toContain(`aria-label="Remplacer le lien d'agenda de Hélène Dupré"`)
    const res = await w.admin.submit(org, {}, `${org}/contacts/${contact.id}/feed`)
    expect(res.headers.location).toBe(`${org}?feed_replaced=1`)
    expect((await w.admin.get(res.headers.location as string)).body).toContain("Nouveau lien d'agenda créé")
    expect((await w.t.app.inject(oldFeed)).statusCode).toBe(410)
    const newFeed = feedPath((await w.t.app.inject(links.get(HELENE)!)).body)
    expect(newFeed).not.toBe(oldFeed)
    expect((await w.t.app.inject(newFeed)).statusCode).toBe(200)
    expect(await w.t.db.selectFrom('contact').select('feed_version').where('id', '=', contact.id).executeTakeFirstOrThrow()).toEqual({ feed_version: 1 })
  })
})
