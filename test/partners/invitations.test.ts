import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { createSession, DATE, invitations, inviteAll, linksByEmail, outbox, SESSION_PAGE, world, type World } from './helpers.js'

const ACTIVE = ['helene.dupre@caf.example.org', 'marc.petit@caf.example.org', 'lea.martin@pasdecalais.example.org', 'karim.benali@centres-sociaux.example.org']

describe('inviting partners to a session', () => {
  let w: World
  beforeEach(async () => {
    w = await world()
  })
  afterEach(() => w.t.close())

  it('sends one message per active contact, each with its own iTIP REQUEST and a personal link', async () => {
    const links = await inviteAll(w)
    const rows = await outbox(w.t.db)
    expect(rows.map((r) => r.to_email).sort()).toEqual([...ACTIVE].sort())
    const session = await w.t.db.selectFrom('session').selectAll().where('id', '=', w.sessionId).executeTakeFirstOrThrow()
    for (const row of rows) {
      expect(row.kind).toBe('session.invitation')
      expect(row.status).toBe('queued')
      expect(row.ical_method).toBe('REQUEST')
      expect(lintIcs(row.ical!)).toEqual([])
      const ics = parseIcs(row.ical!)
      expect(ics.method).toBe('REQUEST')
      expect(ics.events).toHaveLength(1)
      const event = ics.events[0]!
      // RFC 5546 §6.3: each partner only sees themselves.
      expect(event.attendees).toEqual([`mailto:${row.to_email}`])
      expect(event.attendeeDetails[0]!.rsvp).toBe('TRUE')
      expect(event.organizer).toBe('mailto:animation@test.example.org')
      expect(event.uid).toBe(session.uid)
      expect(event.sequence).toBe(session.sequence)
      expect(event.start).toBe('2026-12-18T08:00:00.000Z')
      expect(row.subject).toContain('Invitation')
    }
    // The personal link in each message opens that person's own invitation.
    for (const email of ACTIVE) {
      const page = await w.t.app.inject(links.get(email)!)
      expect(page.statusCode).toBe(200)
      const name = (await w.t.db.selectFrom('contact').select('name').where('email_key', '=', email).executeTakeFirstOrThrow()).name
      expect(page.body).toContain(`Bonjour ${name.replace(/'/g, '&#39;')}`)
      expect(page.body).toContain('data-answer="none"')
    }
    const page = await w.admin.get(`${SESSION_PAGE}?invited=4`)
    expect(page.body).toContain('4 invitation(s) envoyée(s)')
    expect(page.body).toContain('Hélène Dupré')
    expect(page.body).not.toContain('Ancien Contact')
  })

  it('never invites a contact twice, and later contacts can be added', async () => {
    await inviteAll(w)
    await inviteAll(w)
    expect(await invitations(w.t.db)).toHaveLength(4)
    expect(await outbox(w.t.db)).toHaveLength(4)

    // A new contact of the CAF: inviting "the CAF" again reaches only them.
    const caf = await w.t.db.selectFrom('partner').selectAll().where('name_key', '=', 'caf du pas de calais').executeTakeFirstOrThrow()
    expect((await w.admin.submit(`/admin/p/test/partners/${caf.id}`, { name: 'Nina Roux', email: 'nina.roux@caf.example.org', phone: '', role: '', active: 'yes' }, `/admin/p/test/partners/${caf.id}/contacts`)).statusCode).toBe(303)
    const res = await w.admin.submit(SESSION_PAGE, { partner_ids: [String(caf.id)] }, `${SESSION_PAGE}/invite`)
    expect(res.headers.location).toBe(`${SESSION_PAGE}?invited=1`)
    const rows = await outbox(w.t.db)
    expect(rows).toHaveLength(5)
    expect(rows[4]!.to_email).toBe('nina.roux@caf.example.org')
  })

  it('invites only the chosen organisations', async () => {
    const dept = await w.t.db.selectFrom('partner').selectAll().where('name', '=', 'Département — Action sociale').executeTakeFirstOrThrow()
    const res = await w.admin.submit(SESSION_PAGE, { partner_ids: String(dept.id) }, `${SESSION_PAGE}/invite`)
    expect(res.statusCode).toBe(303)
    expect((await outbox(w.t.db)).map((r) => r.to_email)).toEqual(['lea.martin@pasdecalais.example.org'])
  })

  it('only invites to a published session that has not started', async () => {
    await createSession(w.t.db, w.platform, '2027-01-29', 'draft')
    const draft = await w.admin.submit('/admin/p/test/sessions/2027-01-29/partners', {}, '/admin/p/test/sessions/2027-01-29/partners/invite')
    expect(draft.statusCode).toBe(400)
    expect(draft.body).toContain("Publiez d&#39;abord la séance")

    w.t.clock.set('2026-12-18T08:30:00.000Z')
    await w.admin.login('camille@test.example.org')
    const started = await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/invite`)
    expect(started.statusCode).toBe(400)
    expect(started.body).toContain('Cette séance a commencé ou est passée')
    expect(await outbox(w.t.db)).toHaveLength(0)
  })

  it('"relancer" writes again only to those who have not answered, and records it', async () => {
    const links = await inviteAll(w)
    const helene = new Client(w.t.app)
    expect((await helene.submit(links.get('helene.dupre@caf.example.org')!, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    // Right after the invitation, nobody is written to again (a double click, or an invitation still on its way).
    expect((await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/remind`)).headers.location).toBe(`${SESSION_PAGE}?reminded=0`)

    w.t.clock.advance(2 * 24 * 3600 * 1000)
    await w.admin.login('camille@test.example.org')
    const before = (await outbox(w.t.db)).length
    const res = await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/remind`)
    expect(res.headers.location).toBe(`${SESSION_PAGE}?reminded=3`)
    const reminders = (await outbox(w.t.db)).slice(before)
    expect(reminders.map((r) => r.to_email).sort()).toEqual(ACTIVE.filter((e) => !e.startsWith('helene')).sort())
    for (const r of reminders) {
      // Its own kind and subject, not the invitation's again.
      expect(r.kind).toBe('session.invitation-reminder')
      expect(r.subject).toContain('Rappel : merci de répondre')
      expect(r.text_body).toContain('Petit rappel')
      expect(r.ical_method).toBe('REQUEST')
      expect(lintIcs(r.ical!)).toEqual([])
    }
    // The reminder carries the same personal link as the invitation.
    expect(await linksByEmail(w.t.db)).toEqual(links)
    const rows = await invitations(w.t.db)
    expect(rows.filter((r) => r.reminded_at !== null).map((r) => r.email).sort()).toEqual(reminders.map((r) => r.to_email).sort())

    // A second click a minute later writes to nobody.
    w.t.clock.advance(60_000)
    expect((await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/remind`)).headers.location).toBe(`${SESSION_PAGE}?reminded=0`)
    const page = await w.admin.get(SESSION_PAGE)
    expect(page.body).toContain('relancé·e le 25/11/2026')
  })

  it('a new link replaces the old one: the old answers 410 to GET and POST, the new one works', async () => {
    const links = await inviteAll(w)
    const old = links.get('marc.petit@caf.example.org')!
    const marc = new Client(w.t.app)
    const form = await marc.get(old)
    const inv = (await invitations(w.t.db)).find((i) => i.email === 'marc.petit@caf.example.org')!
    const res = await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/${inv.id}/resend`)
    expect(res.statusCode).toBe(303)
    const latest = (await outbox(w.t.db)).at(-1)!
    expect(latest.to_email).toBe('marc.petit@caf.example.org')
    expect(latest.text_body).toContain('nouveau lien')
    expect(latest.ical_method).toBe('REQUEST')
    const fresh = (await linksByEmail(w.t.db)).get('marc.petit@caf.example.org')!
    expect(fresh).not.toBe(old)

    const gone = await marc.get(old)
    expect(gone.statusCode).toBe(410)
    expect(gone.body).toContain('Ce lien a été remplacé')
    expect(gone.body).toContain('animation@test.example.org')
    expect(gone.headers['cache-control']).toBe('no-store')
    const post = await marc.post(old, { answer: 'on_site', _csrf: /name="_csrf" value="([^"]+)"/.exec(form.body)![1]! })
    expect(post.statusCode).toBe(410)
    expect((await invitations(w.t.db)).find((i) => i.id === inv.id)!.answer).toBe('none')

    expect((await marc.submit(fresh, { answer: 'remote', comment: '' })).statusCode).toBe(303)
    expect((await marc.get(fresh)).body).toContain('data-answer="remote"')
  })

  it('keeps other platforms and sessions out of reach', async () => {
    await inviteAll(w)
    const inv = (await invitations(w.t.db))[0]!
    const other = await createSession(w.t.db, w.platform, '2027-01-29')
    expect(other).toBeGreaterThan(0)
    // An invitation of one session cannot be resent from another session's page.
    expect((await w.admin.submit('/admin/p/test/sessions/2027-01-29/partners', {}, `/admin/p/test/sessions/2027-01-29/partners/${inv.id}/resend`)).statusCode).toBe(404)
    const anon = new Client(w.t.app)
    const redirect = await anon.get(SESSION_PAGE)
    expect(redirect.statusCode).toBe(303)
    expect(redirect.headers.location).toMatch(/^\/login\?next=/)
    expect((await w.admin.get(`/admin/p/test/sessions/${DATE.replace('18', '19')}/partners`)).statusCode).toBe(404)
  })
})
