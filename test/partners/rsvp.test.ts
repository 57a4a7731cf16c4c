import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db/schema.js'
import { GUESSES_PER_MINUTE } from '../../src/web/personal-links.js'
import { Client, csrfToken } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { confirmedPitch, createSession, invitations, inviteAll, linksByEmail, outbox, SESSION_PAGE, world, type World } from './helpers.js'

const HELENE = 'helene.dupre@caf.example.org'
const MARC = 'marc.petit@caf.example.org'
const LEA = 'lea.martin@pasdecalais.example.org'

async function snapshot(db: Db) {
  return {
    invitation: await db.selectFrom('invitation').selectAll().orderBy('id').execute(),
    contact: await db.selectFrom('contact').selectAll().orderBy('id').execute(),
    outbox: await db.selectFrom('outbox').selectAll().orderBy('id').execute(),
    advice: await db.selectFrom('advice').selectAll().orderBy('id').execute(),
  }
}

const answerOf = async (db: Db, email: string) => (await invitations(db)).find((i) => i.email === email)!

describe("the partner's personal link", () => {
  let w: World
  let links: Map<string, string>
  beforeEach(async () => {
    w = await world()
    links = await inviteAll(w)
  })
  afterEach(() => w.t.close())

  it('shows the session, the agenda with the pitches as shared with partners, colleagues and the personal feed', async () => {
    await confirmedPitch(w.t.db, w.platform, w.sessionId, 1)
    const marc = new Client(w.t.app)
    await marc.submit(links.get(MARC)!, { answer: 'remote', comment: '' })
    const res = await w.t.app.inject(links.get(HELENE)!)
    expect(res.statusCode).toBe(200)
    const html = res.body
    expect(html).toContain('Séance du vendredi 18 décembre 2026')
    expect(html).toContain('9 h – 12 h')
    expect(html).toContain('Harnes — Salle Kraska')
    expect(html).toContain('1 rue des Fusillés, 62440 Harnes')
    // The holder did not agree to a public title; partners see it (the booking form says so).
    expect(html).toContain('Jardin partagé 1')
    // The holder's choices in the booking form's words, never the stored keys (#24 §3).
    expect(html).toContain('Économie solidaire')
    expect(html).toContain('Besoins : un local, des bénévoles, un financement')
    expect(html).not.toContain('economie_solidaire')
    expect(html).not.toContain('benevoles')
    // Who else from the CAF answered, and nobody from other organisations.
    expect(html).toMatch(/Marc Petit : Participe à distance/)
    expect(html).not.toContain('Léa Martin')
    expect(html).toMatch(/href="webcal:\/\/fabrik\.test\/feeds\/[A-Za-z0-9_-]{43}\.ics"/)
    expect(html).toMatch(/href="http:\/\/fabrik\.test\/feeds\/[A-Za-z0-9_-]{43}\.ics"/)
    const feed = /href="http:\/\/fabrik\.test(\/feeds\/[A-Za-z0-9_-]{43}\.ics)"/.exec(html)![1]!
    const ics = await w.t.app.inject(feed)
    expect(ics.statusCode).toBe(200)
    expect(ics.body).toContain('BEGIN:VEVENT')
    expect(res.headers['cache-control']).toBe('no-store')
    expect(res.headers['referrer-policy']).toBe('no-referrer')
    expect(res.headers['x-robots-tag']).toContain('noindex')
    expect(html).toContain('<meta name="robots" content="noindex">')
  })

  it('records each of the four answers, shows it in data-answer, and allows changing it', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    expect((await helene.get(link)).body).toContain('data-answer="none"')
    for (const answer of ['on_site', 'remote', 'declined'] as const) {
      const res = await helene.submit(link, { answer, comment: `Réponse ${answer}` })
      expect(res.statusCode).toBe(303)
      expect(res.headers.location).toBe(link)
      const page = await helene.get(link)
      expect(page.body).toContain(`data-answer="${answer}"`)
      expect(page.body).toContain(`Réponse ${answer}`)
      const row = await answerOf(w.t.db, HELENE)
      expect(row.answer).toBe(answer)
      expect(row.comment).toBe(`Réponse ${answer}`)
      expect(row.answered_at).toBe('2026-11-23T09:00:00.000Z')
    }
    const res = await helene.submit(link, { answer: 'delegate', delegate_name: 'Nina Roux', delegate_email: 'nina.roux@caf.example.org', comment: '' })
    expect(res.statusCode).toBe(303)
    expect((await helene.get(link)).body).toContain('data-answer="delegate"')
  })

  it('re-renders a bad answer with French messages and the values, saving nothing', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const before = await snapshot(w.t.db)
    const none = await helene.submit(link, { comment: 'Je sais pas encore' })
    expect(none.statusCode).toBe(400)
    expect(none.body).toContain('Choisissez une réponse.')
    expect(none.body).toContain('Je sais pas encore')
    const bad = await helene.submit(link, { answer: 'delegate', delegate_name: '', delegate_email: 'pas une adresse', comment: '' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Indiquez le nom de la personne qui vous remplace.')
    expect(bad.body).toContain('Adresse e-mail invalide.')
    expect(bad.body).toContain('value="pas une adresse"')
    const self = await helene.submit(link, { answer: 'delegate', delegate_name: 'Moi', delegate_email: 'Helene.Dupre@caf.example.org', comment: '' })
    expect(self.statusCode).toBe(400)
    expect(self.body).toContain('pas la vôtre')
    expect(await snapshot(w.t.db)).toEqual(before)
  })

  it('escapes the comment on the partner page and on the facilitator table', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    await helene.submit(link, { answer: 'on_site', comment: '<script>alert("x")</script> & <b>gras</b>' })
    for (const html of [(await helene.get(link)).body, (await w.admin.get(SESSION_PAGE)).body]) {
      expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;gras&lt;/b&gt;')
      expect(html).not.toContain('<script>alert')
      expect(html).not.toContain('<b>gras')
    }
  })

  it('"Je me fais remplacer" invites the colleague in the same organisation, in the same transaction', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const before = (await outbox(w.t.db)).length
    const res = await helene.submit(link, { answer: 'delegate', delegate_name: 'Nina Roux', delegate_email: 'Nina.Roux@caf.example.org', comment: 'Nina connaît bien le dossier.' })
    expect(res.statusCode).toBe(303)
    const hel = await answerOf(w.t.db, HELENE)
    expect(hel).toMatchObject({ answer: 'delegate', delegate_name: 'Nina Roux', delegate_email: 'Nina.Roux@caf.example.org' })
    const nina = await w.t.db.selectFrom('contact').innerJoin('partner', 'partner.id', 'contact.partner_id')
      .select(['contact.id', 'contact.name', 'contact.email_key', 'contact.active', 'partner.name as partner'])
      .where('contact.email_key', '=', 'nina.roux@caf.example.org').executeTakeFirstOrThrow()
    expect(nina).toMatchObject({ name: 'Nina Roux', active: 1, partner: 'CAF du Pas-de-Calais' })
    const ninaInv = await answerOf(w.t.db, 'Nina.Roux@caf.example.org')
    expect(ninaInv).toMatchObject({ answer: 'none', delegated_from_id: hel.id, contact_id: nina.id })
    const mails = (await outbox(w.t.db)).slice(before)
    // Hélène's calendar copy is withdrawn (#24: her feed drops the session too), then Nina is invited.
    expect(mails.map((m) => `${m.to_email}:${m.kind}`)).toEqual(['helene.dupre@caf.example.org:session.delegated', 'Nina.Roux@caf.example.org:session.invitation'])
    const mail = mails[1]!
    expect(mail.kind).toBe('session.invitation')
    expect(mail.to_email).toBe('Nina.Roux@caf.example.org')
    expect(mail.text_body).toContain('Hélène Dupré (CAF du Pas-de-Calais) vous propose de participer à cette séance à sa place')
    expect(lintIcs(mail.ical!)).toEqual([])
    expect(parseIcs(mail.ical!).events[0]!.attendees).toEqual(['mailto:Nina.Roux@caf.example.org'])
    // Nina answers with her own link; the facilitator sees both.
    const ninaLink = (await linksByEmail(w.t.db)).get('Nina.Roux@caf.example.org')!
    expect((await new Client(w.t.app).submit(ninaLink, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    const table = (await w.admin.get(SESSION_PAGE)).body
    expect(table).toContain('(remplacé·e par Nina Roux)')
    expect(table).toContain('(à la place de Hélène Dupré)')

    // Sending an already invited colleague again reuses them: no new contact, invitation or email.
    const count = (await outbox(w.t.db)).length
    await helene.submit(link, { answer: 'delegate', delegate_name: 'Nina', delegate_email: 'nina.roux@caf.example.org', comment: '' })
    expect((await outbox(w.t.db)).length).toBe(count)
    expect(await w.t.db.selectFrom('contact').select('id').where('email_key', '=', 'nina.roux@caf.example.org').execute()).toHaveLength(1)
  })

  it('GET and HEAD from several addresses, many times, change nothing', async () => {
    await w.t.app.inject(links.get(HELENE)!) // the first opening already counts
    const before = await snapshot(w.t.db)
    for (const remoteAddress of ['203.0.113.7', '198.51.100.23', '2001:db8::1']) {
      for (const method of ['GET', 'HEAD'] as const) {
        for (const email of [HELENE, MARC]) {
          const res = await w.t.app.inject({ method, url: links.get(email)!, remoteAddress })
          expect(res.statusCode).toBe(200)
          if (method === 'HEAD') expect(res.body).toBe('')
        }
      }
    }
    expect(await snapshot(w.t.db)).toEqual(before)
  })

  it("one contact's link cannot read or answer for another contact or session", async () => {
    const other = await createSession(w.t.db, w.platform, '2027-01-29')
    await w.admin.submit('/admin/p/test/sessions/2027-01-29/partners', {}, '/admin/p/test/sessions/2027-01-29/partners/invite')
    const janInv = (await invitations(w.t.db)).find((i) => i.session_id === other && i.email === HELENE)!
    const decLink = links.get(HELENE)!
    const helene = new Client(w.t.app)
    const page = await helene.get(decLink)
    expect(page.body).toContain('18 décembre 2026')
    expect(page.body).not.toContain('29 janvier 2027')
    // Ids in the body are ignored: the link alone says which invitation it answers.
    const marcInv = await answerOf(w.t.db, MARC)
    await helene.post(decLink, { answer: 'declined', comment: '', invitation_id: String(marcInv.id), contact_id: String(marcInv.contact_id), session_id: String(other), _csrf: csrfToken(page.body) })
    const rows = await invitations(w.t.db)
    expect(rows.filter((r) => r.answer !== 'none').map((r) => [r.email, r.session_id])).toEqual([[HELENE, w.sessionId]])
    expect(rows.find((r) => r.id === janInv.id)!.answer).toBe('none')

    // An altered, truncated or foreign token is unknown: 404 on every method, before any CSRF check.
    const altered = decLink.slice(0, -1) + (decLink.endsWith('A') ? 'B' : 'A')
    for (const url of [altered, decLink.slice(0, -3), '/rsvp/nimportequoi', `/rsvp/${'x'.repeat(43)}`]) {
      expect((await w.t.app.inject(url)).statusCode).toBe(404)
      expect((await w.t.app.inject({ method: 'POST', url, payload: 'answer=on_site', headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '192.0.2.99' })).statusCode).toBe(404)
    }
    // A known link without the form's CSRF token is refused.
    expect((await helene.post(decLink, { answer: 'on_site' })).statusCode).toBe(403)
  })

  it('refuses to change the answer once the session has started, and opens written advice instead', async () => {
    const pitchId = await confirmedPitch(w.t.db, w.platform, w.sessionId, 1)
    const lea = new Client(w.t.app)
    const link = links.get(LEA)!
    const page = await lea.get(link)
    expect((await lea.post(`${link}/advice`, { pitch_id: String(pitchId), body: 'Trop tôt', _csrf: csrfToken(page.body) })).statusCode).toBe(400)
    await lea.submit(link, { answer: 'declined', comment: 'Excusée' })

    w.t.clock.set('2026-12-18T08:00:00.000Z')
    const late = await lea.post(link, { answer: 'on_site', comment: '', _csrf: csrfToken(page.body) })
    expect(late.statusCode).toBe(400)
    expect(late.body).toContain('La séance a commencé : votre réponse ne peut plus être modifiée.')
    expect((await answerOf(w.t.db, LEA)).answer).toBe('declined')
    const after = await lea.get(link)
    expect(after.body).toContain('data-answer="declined"')
    expect(after.body).not.toContain('name="answer"')
    expect(after.body).toContain('Un avis écrit sur une présentation')

    w.t.clock.set('2026-12-20T10:00:00.000Z')
    const empty = await lea.submit(link, { pitch_id: String(pitchId), body: '' }, `${link}/advice`)
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('Ce champ est obligatoire.')
    const res = await lea.submit(link, { pitch_id: String(pitchId), body: 'Voir la Mission locale pour le chantier jeunes.' }, `${link}/advice`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${link}#avis`)
    const advice = await w.t.db.selectFrom('advice').selectAll().execute()
    const leaInv = await answerOf(w.t.db, LEA)
    const dept = await w.t.db.selectFrom('contact').select('partner_id').where('id', '=', leaInv.contact_id).executeTakeFirstOrThrow()
    expect(advice).toEqual([expect.objectContaining({ pitch_id: pitchId, contact_id: leaInv.contact_id, partner_id: dept.partner_id, body: 'Voir la Mission locale pour le chantier jeunes.' })])
    expect((await lea.get(link)).body).toContain('Voir la Mission locale pour le chantier jeunes.')

    // A pitch of another session is not this link's to advise on.
    const otherSession = await createSession(w.t.db, w.platform, '2027-01-29')
    const foreign = await confirmedPitch(w.t.db, w.platform, otherSession, 2)
    const refused = await lea.submit(link, { pitch_id: String(foreign), body: 'Hors sujet' }, `${link}/advice`)
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Choisissez une présentation de cette séance.')
    expect(await w.t.db.selectFrom('advice').selectAll().execute()).toHaveLength(1)
  })

  it('expires 30 days after the session with a clear page, and refuses its POSTs', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const form = await helene.get(link)
    w.t.clock.set('2027-01-16T10:00:00.000Z') // 29 days after: still readable
    expect((await helene.get(link)).statusCode).toBe(200)
    w.t.clock.set('2027-01-18T10:00:00.000Z')
    const gone = await helene.get(link)
    expect(gone.statusCode).toBe(410)
    expect(gone.body).toContain('Ce lien a expiré')
    expect(gone.body).toContain('vendredi 18 décembre 2026')
    expect(gone.body).toContain('animation@test.example.org')
    expect((await w.t.app.inject({ method: 'HEAD', url: link })).statusCode).toBe(410)
    const before = await snapshot(w.t.db)
    expect((await helene.post(link, { answer: 'on_site', _csrf: csrfToken(form.body) })).statusCode).toBe(410)
    expect((await helene.post(`${link}/advice`, { pitch_id: '1', body: 'x', _csrf: csrfToken(form.body) })).statusCode).toBe(410)
    expect(await snapshot(w.t.db)).toEqual(before)
  })

  it('refuses answers to a cancelled session', async () => {
    const helene = new Client(w.t.app)
    const link = links.get(HELENE)!
    const page = await helene.get(link)
    await w.t.db.updateTable('session').set({ status: 'cancelled' }).where('id', '=', w.sessionId).execute()
    const res = await helene.post(link, { answer: 'on_site', comment: '', _csrf: csrfToken(page.body) })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('elle a été annulée')
    expect((await answerOf(w.t.db, HELENE)).answer).toBe('none')
  })

  it('rate-limits guesses: a burst of unknown tokens hits 429, then even a right link waits', async () => {
    const codes: number[] = []
    for (let i = 0; i < GUESSES_PER_MINUTE + 5; i++) {
      codes.push((await w.t.app.inject({ url: `/rsvp/${String(i).padStart(43, 'Z')}`, remoteAddress: '203.0.113.50' })).statusCode)
    }
    expect(codes.slice(0, GUESSES_PER_MINUTE).every((c) => c === 404)).toBe(true)
    expect(codes.slice(GUESSES_PER_MINUTE).every((c) => c === 429)).toBe(true)
    const right = await w.t.app.inject({ url: links.get(HELENE)!, remoteAddress: '203.0.113.50' })
    expect(right.statusCode).toBe(429)
    expect(right.headers['retry-after']).toBeDefined()
    expect(right.body).toContain('Trop de tentatives')
    expect((await w.t.app.inject({ url: links.get(HELENE)!, remoteAddress: '203.0.113.51' })).statusCode).toBe(200)
  })

  it('never limits a valid link, however often one address opens it (an organisation behind one address)', async () => {
    const codes: number[] = []
    for (let i = 0; i < 60; i++) codes.push((await w.t.app.inject({ url: links.get(i % 2 ? HELENE : MARC)!, remoteAddress: '203.0.113.60' })).statusCode)
    expect(codes.every((c) => c === 200)).toBe(true)
  })
})
