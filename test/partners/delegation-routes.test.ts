import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/schema.js'
import { MAX_DELEGATIONS_PER_INVITATION, MAX_DELEGATIONS_PER_PARTNER_PER_DAY } from '../../src/partners/delegation.js'
import { Client } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { createSession, invitations, inviteAll, linksByEmail, outbox, SESSION_PAGE, world, type World } from './helpers.js'

// Issue #25 §2: one RSVP link must not send unlimited invitations to any address.

const HELENE = 'helene.dupre@caf.example.org'
const MARC = 'marc.petit@caf.example.org'
const KARIM = 'karim.benali@centres-sociaux.example.org'
const ANCIEN = 'ancien@centres-sociaux.example.org'
const CAF_PAGE = (w: World, id: number) => `/admin/p/test/partners/${id}`

async function snapshot(db: Db) {
  return {
    invitation: await db.selectFrom('invitation').selectAll().orderBy('id').execute(),
    contact: await db.selectFrom('contact').selectAll().orderBy('id').execute(),
    partner: await db.selectFrom('partner').selectAll().orderBy('id').execute(),
    outbox: await db.selectFrom('outbox').selectAll().orderBy('id').execute(),
  }
}

const delegateTo = (email: string, name = 'Nina Roux') => ({ answer: 'delegate', delegate_name: name, delegate_email: email, comment: '' })

const contactByEmail = (db: Db, email: string) => db.selectFrom('contact').selectAll().where('email_key', '=', email).executeTakeFirst()

const partnerIdOf = async (db: Db, email: string) => (await contactByEmail(db, email))!.partner_id

describe('"Je me fais remplacer"', () => {
  let w: World
  let links: Map<string, string>
  beforeEach(async () => {
    w = await world()
    links = await inviteAll(w)
  })
  afterEach(() => w.t.close())

  it('five delegations leave one live delegate; the others get a CANCEL and their links answer 410', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const hel = (await invitations(w.t.db)).find((i) => i.email === HELENE)!
    const named = Array.from({ length: MAX_DELEGATIONS_PER_INVITATION }, (_, i) => `collegue${i + 1}@caf.example.org`)
    const delegateLinks: string[] = []
    for (const email of named) {
      expect((await helene.submit(link, delegateTo(email, `Collègue ${'abcde'[named.indexOf(email)]}`))).statusCode).toBe(303)
      delegateLinks.push((await linksByEmail(w.t.db)).get(email)!)
    }
    const live = (await invitations(w.t.db)).filter((i) => i.delegated_from_id === hel.id)
    expect(live.map((i) => i.email)).toEqual([named.at(-1)])
    expect((await w.t.app.inject(delegateLinks.at(-1)!)).statusCode).toBe(200)
    const mails = await outbox(w.t.db)
    for (const [i, email] of named.slice(0, -1).entries()) {
      const gone = await w.t.app.inject(delegateLinks[i]!)
      expect(gone.statusCode).toBe(410)
      expect(gone.body).toContain('Ce lien a été retiré')
      expect(gone.body).toContain('animation@test.example.org')
      // Their invitation, then its cancellation: the same event, a higher SEQUENCE, no STATUS (the session is on).
      const theirs = mails.filter((m) => m.to_email === email)
      expect(theirs.map((m) => `${m.kind}:${m.ical_method}`)).toEqual(['session.invitation:REQUEST', 'session.uninvited:CANCEL'])
      expect(lintIcs(theirs[1]!.ical!)).toEqual([])
      const [request, cancel] = theirs.map((m) => parseIcs(m.ical!).events[0]!)
      expect(cancel!.uid).toBe(request!.uid)
      expect(cancel!.sequence!).toBeGreaterThan(request!.sequence!)
      expect(cancel!.status).toBeNull()
      expect(cancel!.attendees).toEqual([`mailto:${email}`])
      expect(theirs[1]!.subject).toContain('Votre invitation à la séance du vendredi 18 décembre 2026 est retirée')
      expect(theirs[1]!.text_body).toContain('Hélène Dupré (CAF du Pas-de-Calais) ne vous propose plus de participer à sa place')
      expect(theirs[1]!.text_body).not.toContain('/rsvp/')
      // Nobody confirmed them: they are forgotten.
      expect(await contactByEmail(w.t.db, email)).toBeUndefined()
    }
    // Everyone else's calendar copy is untouched: the session itself was never cancelled.
    expect(mails.filter((m) => m.kind === 'session.cancelled')).toEqual([])

    // A sixth is refused in French, the form kept, nothing written.
    const before = await snapshot(w.t.db)
    const refused = await helene.submit(link, delegateTo('collegue6@caf.example.org', 'Sixième Collègue'))
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain(`Vous avez déjà désigné ${MAX_DELEGATIONS_PER_INVITATION} personnes pour vous remplacer à cette séance`)
    expect(refused.body).toContain('value="collegue6@caf.example.org"')
    expect(refused.body).toContain('value="Sixième Collègue"')
    expect(await snapshot(w.t.db)).toEqual(before)
    // Naming the live delegate again is no new delegation.
    expect((await helene.submit(link, delegateTo(named.at(-1)!, 'Collègue e'))).statusCode).toBe(303)
  })

  it('answering anything else takes the colleague\'s invitation back', async () => {
    const helene = new Client(w.t.app)
    await helene.submit(links.get(HELENE)!, delegateTo('nina.roux@caf.example.org'))
    const ninaLink = (await linksByEmail(w.t.db)).get('nina.roux@caf.example.org')!
    expect((await helene.submit(links.get(HELENE)!, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    expect((await w.t.app.inject(ninaLink)).statusCode).toBe(410)
    expect((await outbox(w.t.db)).at(-1)).toMatchObject({ to_email: 'nina.roux@caf.example.org', kind: 'session.uninvited', ical_method: 'CANCEL' })
    expect((await invitations(w.t.db)).map((i) => i.email)).not.toContain('nina.roux@caf.example.org')
  })

  it('caps the delegations of one organisation per day, over all its invitations', async () => {
    const caf = await partnerIdOf(w.t.db, HELENE)
    // Helene and Marc each change their mind within their own cap; their delegates' links count too.
    const people = [links.get(HELENE)!, links.get(MARC)!]
    let n = 0
    for (const link of people) {
      const c = new Client(w.t.app)
      for (let i = 0; i < MAX_DELEGATIONS_PER_PARTNER_PER_DAY / people.length; i++) {
        expect((await c.submit(link, delegateTo(`remplacant${++n}@caf.example.org`, 'Remplaçant Caf'))).statusCode).toBe(303)
      }
    }
    const delegateLink = (await linksByEmail(w.t.db)).get(`remplacant${n}@caf.example.org`)!
    const delegate = new Client(w.t.app)
    const refused = await delegate.submit(delegateLink, delegateTo('encore@caf.example.org', 'Encore Quelquun'))
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain(`Votre organisation a désigné aujourd&#39;hui ${MAX_DELEGATIONS_PER_PARTNER_PER_DAY} personnes`)
    expect(refused.body).toContain('animation@test.example.org')
    expect(await contactByEmail(w.t.db, 'encore@caf.example.org')).toBeUndefined()
    // Other organisations are not held back, and the next day the count starts again.
    expect((await new Client(w.t.app).submit(links.get(KARIM)!, delegateTo('zoe@centres-sociaux.example.org', 'Zoé Martin'))).statusCode).toBe(303)
    w.t.clock.set('2026-11-24T09:00:00.000Z')
    expect((await delegate.submit(delegateLink, delegateTo('encore@caf.example.org', 'Encore Quelquun'))).statusCode).toBe(303)
    expect((await w.t.db.selectFrom('partner').select(['delegation_day', 'delegation_count']).where('id', '=', caf).executeTakeFirstOrThrow()))
      .toEqual({ delegation_day: '2026-11-24', delegation_count: 1 })
  })

  it('does not invite a contact the facilitator deactivated, and shows it to the facilitator', async () => {
    const karim = new Client(w.t.app)
    const before = (await outbox(w.t.db)).length
    expect((await karim.submit(links.get(KARIM)!, delegateTo(ANCIEN, 'Ancien Contact'))).statusCode).toBe(303)
    expect((await outbox(w.t.db)).length).toBe(before)
    expect((await invitations(w.t.db)).map((i) => i.email)).not.toContain(ANCIEN)
    expect((await contactByEmail(w.t.db, ANCIEN))!.active).toBe(0)
    const page = (await karim.get(links.get(KARIM)!)).body
    expect(page).toContain("ne reçoit pas d'invitation automatique")
    const table = (await w.admin.get(SESSION_PAGE)).body
    expect(table).toContain('data-delegate="inactive"')
    expect(table).toContain("Ancien Contact n'est pas invité·e : ce contact est désactivé.")

    // The facilitator decides: reactivated, the contact is invited with the organisation.
    const ancien = (await contactByEmail(w.t.db, ANCIEN))!
    const org = CAF_PAGE(w, ancien.partner_id)
    expect((await w.admin.submit(org, { action: 'activate' }, `${org}/contacts/${ancien.id}`)).statusCode).toBe(303)
    expect((await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/invite`)).headers.location).toBe(`${SESSION_PAGE}?invited=1`)
    expect((await w.admin.get(SESSION_PAGE)).body).not.toContain('data-delegate="inactive"')
  })

  it('adds an unknown colleague as a pending contact: invited, but absent from the directory and "invite everyone" until confirmed', async () => {
    await new Client(w.t.app).submit(links.get(HELENE)!, delegateTo('nina.roux@caf.example.org'))
    const nina = (await contactByEmail(w.t.db, 'nina.roux@caf.example.org'))!
    expect(nina).toMatchObject({ pending: 1, active: 1, name: 'Nina Roux' })
    const org = CAF_PAGE(w, nina.partner_id)
    const contactsTable = (html: string) => /<section aria-labelledby="contacts-title">[\s\S]*?<\/section>/.exec(html)![0]

    const partnerPage = (await w.admin.get(org)).body
    expect(contactsTable(partnerPage)).not.toContain('Nina Roux')
    expect(partnerPage).toContain('À confirmer (1)')
    const directory = (await w.admin.get('/admin/p/test/partners')).body
    expect(directory).toContain('proposé·e par Hélène Dupré pour la séance du 18/12/2026')
    // The CAF still counts its two directory contacts.
    expect(directory).toMatch(/CAF du Pas-de-Calais<\/a><\/th>[\s\S]*?<td>2<\/td>/)
    expect((await w.admin.get(SESSION_PAGE)).body).toContain('data-delegate="pending"')

    const january = '/admin/p/test/sessions/2027-01-29/partners'
    await createSession(w.t.db, w.platform, '2027-01-29')
    expect((await w.admin.submit(january, {}, `${january}/invite`)).headers.location).toBe(`${january}?invited=4`)
    expect((await outbox(w.t.db)).filter((m) => m.to_email === 'nina.roux@caf.example.org')).toHaveLength(1)

    // Confirmed, Nina is a contact like the others.
    const confirm = await w.admin.submit('/admin/p/test/partners', { decision: 'confirm', back: 'directory' }, `${org}/contacts/${nina.id}/review`)
    expect(confirm.headers.location).toBe('/admin/p/test/partners?confirmed=1#a-confirmer')
    expect(contactsTable((await w.admin.get(org)).body)).toContain('Nina Roux')
    expect((await w.admin.get(org)).body).not.toContain('À confirmer')
    expect((await w.admin.submit(january, {}, `${january}/invite`)).headers.location).toBe(`${january}?invited=1`)
  })

  it('"Refuser" takes back the invitation of a colleague nobody knows, and forgets them', async () => {
    await new Client(w.t.app).submit(links.get(HELENE)!, delegateTo('inconnu@ailleurs.example.org', 'Inconnu Total'))
    const stranger = (await contactByEmail(w.t.db, 'inconnu@ailleurs.example.org'))!
    const strangerLink = (await linksByEmail(w.t.db)).get('inconnu@ailleurs.example.org')!
    const org = CAF_PAGE(w, stranger.partner_id)
    const res = await w.admin.submit(org, { decision: 'refuse', back: 'partner' }, `${org}/contacts/${stranger.id}/review`)
    expect(res.headers.location).toBe(`${org}?refused=1#a-confirmer`)
    expect((await w.t.app.inject(strangerLink)).statusCode).toBe(410)
    expect(await contactByEmail(w.t.db, 'inconnu@ailleurs.example.org')).toBeUndefined()
    expect((await outbox(w.t.db)).at(-1)).toMatchObject({ to_email: 'inconnu@ailleurs.example.org', kind: 'session.uninvited', ical_method: 'CANCEL' })
    // Helene's answer stays; the facilitator's table no longer lists a delegate invitation.
    expect((await invitations(w.t.db)).find((i) => i.email === HELENE)).toMatchObject({ answer: 'delegate', delegate_contact_id: null })
  })

  it('refuses a hostile colleague name in French, keeping the values and writing nothing', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const before = await snapshot(w.t.db)
    const hostile = ['Eve "Admin"', 'Eve <eve@evil.example>', 'Eve\r\nBcc: x@evil.example', '=?utf-8?q?Direction?=', 'Eve 😈', 'a'.repeat(200)]
    for (const name of hostile) {
      const res = await helene.submit(link, { ...delegateTo('eve@caf.example.org', name), comment: 'Mon commentaire' })
      expect(res.statusCode, name).toBe(400)
      expect(res.body).toMatch(/Indiquez seulement le prénom et le nom de votre collègue|caractères (au plus|non autorisés)/)
      expect(res.body).toContain('id="delegate_name-error"')
      expect(res.body).toContain('value="eve@caf.example.org"')
      expect(res.body).toContain('Mon commentaire')
      expect(res.body).not.toContain('<eve@evil.example>')
    }
    expect((await helene.submit(link, delegateTo('eve@caf.example.org', 'Eve <x>'))).body).toContain('value="Eve &lt;x&gt;"')
    expect(await snapshot(w.t.db)).toEqual(before)
  })

  it("does not show a delegate the organisation's colleagues and their answers", async () => {
    await new Client(w.t.app).submit(links.get(MARC)!, { answer: 'remote', comment: 'Depuis le bureau' })
    await new Client(w.t.app).submit(links.get(HELENE)!, delegateTo('nina.roux@caf.example.org'))
    const ninaPage = (await w.t.app.inject((await linksByEmail(w.t.db)).get('nina.roux@caf.example.org')!)).body
    expect(ninaPage).toContain('Bonjour Nina Roux')
    expect(ninaPage).not.toContain('Marc Petit')
    expect(ninaPage).not.toContain('Participe à distance')
    expect(ninaPage).not.toContain('De CAF du Pas-de-Calais')
    // Helene, in the directory, still sees her colleague.
    expect((await w.t.app.inject(links.get(HELENE)!)).body).toContain('Marc Petit : Participe à distance')
  })
})
