import { afterEach, describe, expect, it } from 'vitest'
import type { OutboxRow } from '../../src/db/schema.js'
import { pitchToken } from '../../src/pitches/booking.js'
import { personalToken } from '../../src/web/tokens.js'
import { csrfToken } from '../helpers/app.js'
import { outboxRows, sentMailOf } from '../helpers/factories.js'
import { HOLDERS, MINUTES, minutesWorld, type MinutesWorld, sendFromPage } from './helpers.js'

let w: MinutesWorld
afterEach(async () => { await w?.t.close() })

const ofKind = (rows: OutboxRow[], kind: string) => rows.filter((r) => r.kind === kind)
const both = (r: OutboxRow) => `${r.subject}\n${r.text_body}\n${r.html_body}`

/** Everything that could change: my tables and the outbox. */
async function snapshot() {
  const db = w.t.db
  return JSON.stringify(await Promise.all([
    db.selectFrom('minutes_draft').selectAll().execute(), db.selectFrom('minutes_pitch_text').selectAll().execute(),
    db.selectFrom('minutes_version').selectAll().execute(), db.selectFrom('outbox').select(['id', 'status']).execute(),
  ]))
}

describe('the minutes of a session with three pitches', () => {
  it('sends partners the whole minutes and each holder only their own part', async () => {
    w = await minutesWorld()
    const before = await snapshot()
    const page = await w.admin.get(MINUTES)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('à 3 partenaires et 3 porteurs de projet')
    const preview = await w.admin.get(`${MINUTES}/preview`)
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain(HOLDERS[0].title)
    expect((await w.admin.get(`${MINUTES}/print`)).statusCode).toBe(200)
    expect(await snapshot()).toBe(before) // GET writes nothing

    const { res } = await sendFromPage(w.admin)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${MINUTES}?sent=1`)
    const confirmation = (await w.admin.get(res.headers.location as string)).body
    expect(confirmation).toContain('envoyé à 3 partenaires et 3 porteurs de projet')

    const rows = await sentMailOf(w.t.app)
    const partners = ofKind(rows, 'session.minutes')
    expect(partners.map((r) => r.to_email).sort()).toEqual(['helene.dupre@caf.example.org', 'lea.martin@pasdecalais.example.org', 'marc.petit@caf.example.org'])
    for (const mail of partners) {
      const text = both(mail)
      for (const h of HOLDERS) expect(text).toContain(h.title)
      expect(text).toContain('Nadia Benali')
      expect(text).toContain('Chantal Roussel')
      // Yves did not agree to be named to partners: his initiative's title only.
      expect(text).not.toContain('Yves Morel')
      for (const h of HOLDERS) expect(text).not.toContain(h.email)
      expect(text).toContain('Conseil 2 de la CAF.')
      expect(text).toContain('Orientation 3 vers la CAF')
      expect(text).toContain('Hélène Dupré')
      expect(text).toContain('Marc Petit (à distance)')
      expect(mail.subject).toContain('Compte rendu de la séance du')
      expect(mail.text_body).toContain('/rsvp/')
    }
    const holders = ofKind(rows, 'pitch.minutes')
    expect(holders).toHaveLength(3)
    for (const [i, h] of HOLDERS.entries()) {
      const mail = holders.find((r) => r.to_email === h.email)!
      const text = both(mail)
      expect(text).toContain(h.title)
      expect(text).toContain(`Conseil ${i + 1} de la CAF.`)
      expect(text).toContain(`Suite ${i + 1} : revenir en mars.`)
      expect(mail.text_body).toContain('/pitch/')
      for (const other of HOLDERS.filter((o) => o !== h)) {
        expect(text).not.toContain(other.name)
        expect(text).not.toContain(other.email)
        expect(text).not.toContain(other.title)
      }
      for (const n of [1, 2, 3].filter((n) => n !== i + 1)) expect(text).not.toContain(`Conseil ${n} de la CAF`)
    }
  })

  it('a second submit of the same form sends nothing; a correction is version 2, "compte rendu corrigé", and the page lists both', async () => {
    w = await minutesWorld()
    const first = await sendFromPage(w.admin)
    expect(first.res.statusCode).toBe(303)
    const count = (await outboxRows(w.t.db)).length
    const again = await w.admin.post(`${MINUTES}/send`, { _csrf: first.csrf, version: first.version })
    expect(again.statusCode).toBe(303)
    expect(again.headers.location).toBe(`${MINUTES}?already=1`)
    expect((await outboxRows(w.t.db)).length).toBe(count)

    // The facilitator rewrites the introduction and the second pitch's text, then sends the correction.
    const page = (await w.admin.get(MINUTES)).body
    const saved = await w.admin.post(MINUTES, { _csrf: csrfToken(page), intro: 'Merci à la mairie pour la salle.', [`text_${w.pitches[1]}`]: 'Texte corrigé du vélo.' })
    expect(saved.statusCode).toBe(303)
    const second = await sendFromPage(w.admin)
    expect(second.version).toBe('2')
    expect(second.res.headers.location).toBe(`${MINUTES}?sent=2`)
    const rows = await outboxRows(w.t.db)
    const v2 = rows.slice(count)
    expect(ofKind(v2, 'session.minutes')).toHaveLength(3)
    expect(ofKind(v2, 'pitch.minutes')).toHaveLength(3)
    for (const r of v2) expect(r.subject).toContain('Compte rendu corrigé')
    const yves = ofKind(v2, 'pitch.minutes').find((r) => r.to_email === HOLDERS[1].email)!
    expect(yves.text_body).toContain('Texte corrigé du vélo.')
    expect(yves.text_body).not.toContain('Merci à la mairie') // the introduction is the partners'
    expect(ofKind(v2, 'session.minutes')[0]!.text_body).toContain('Merci à la mairie pour la salle.')
    const listed = (await w.admin.get(MINUTES)).body
    expect(listed).toContain('data-version="2"')
    expect(listed).toContain('data-version="1"')
    const print1 = (await w.admin.get(`${MINUTES}/print?version=1`)).body
    expect(print1).not.toContain('Texte corrigé du vélo.')
    expect((await w.admin.get(`${MINUTES}/print?version=2`)).body).toContain('Texte corrigé du vélo.')
    // One holder's part on paper: theirs only.
    const part = (await w.admin.get(`${MINUTES}/print?pitch=${w.pitches[1]}`)).body
    expect(part).toContain('Texte corrigé du vélo.')
    expect(part).toContain('Yves Morel')
    expect(part).not.toContain(HOLDERS[0].title)
  })

  it('shows the sent minutes on the holder’s page (their part) and on the partner’s page (the whole, latest first)', async () => {
    w = await minutesWorld()
    const ctx = w.t.app.ctx
    const pitch = await w.t.db.selectFrom('pitch').selectAll().where('id', '=', w.pitches[1]!).executeTakeFirstOrThrow()
    const holderUrl = `/pitch/${pitchToken(ctx, pitch)}`
    expect((await w.admin.get(holderUrl)).body).not.toContain('data-minutes-version')
    await sendFromPage(w.admin)
    const holderPage = (await w.admin.get(holderUrl)).body
    expect(holderPage).toContain('data-minutes-version="1"')
    expect(holderPage).toContain('Conseil 2 de la CAF.')
    expect(holderPage).not.toContain(HOLDERS[0].title)
    expect(holderPage).not.toContain(HOLDERS[2].name)
    const invitation = await w.t.db.selectFrom('invitation').selectAll().where('contact_id', '=', w.contacts.lea).executeTakeFirstOrThrow()
    const rsvp = (await w.admin.get(`/rsvp/${personalToken(w.t.config.sessionSecret, 'rsvp', invitation.id, invitation.token_version)}`)).body
    expect(rsvp).toContain('data-minutes-version="1"')
    for (const h of HOLDERS) expect(rsvp).toContain(h.title)
    expect(rsvp).not.toContain('Yves Morel')
  })

  it('sends the part of a holder booked by phone without an address to the platform’s mailbox, saying whom to pass it to', async () => {
    w = await minutesWorld()
    await w.t.db.updateTable('holder').set({ email: null, email_key: null, phone: '06 11 22 33 44' }).where('name', '=', HOLDERS[1].name).execute()
    const preview = (await w.admin.get(`${MINUTES}/preview`)).body
    expect(preview).toContain('data-via-mailbox')
    expect(preview).toContain("Pas d'adresse e-mail : son message va à la boîte de la plateforme (animation@test.example.org)")
    expect((await w.admin.get(MINUTES)).body).toContain('à 3 partenaires et 3 porteurs de projet')
    expect((await sendFromPage(w.admin)).res.statusCode).toBe(303)
    const holders = ofKind(await sentMailOf(w.t.app), 'pitch.minutes')
    expect(holders.map((r) => r.to_email).sort()).toEqual(['animation@test.example.org', HOLDERS[0].email, HOLDERS[2].email].sort())
    const forwarded = holders.find((r) => r.to_email === 'animation@test.example.org')!
    // The note comes first, before the greeting; the part is Yves's own.
    expect(forwarded.text_body.split('\n')[0]).toBe('Ce message est destiné à Yves Morel, qui n\'a pas d\'adresse e-mail : merci de le lui transmettre (téléphone : 06 11 22 33 44).')
    expect(forwarded.html_body).toContain('data-forward')
    expect(forwarded.text_body).toContain('Conseil 2 de la CAF.')
    expect(forwarded.text_body).not.toContain(HOLDERS[0].title)
    // The others read no such line.
    for (const r of holders.filter((r) => r !== forwarded)) expect(r.text_body).not.toContain('transmettre')
  })

  it('refuses an invalid draft with French messages and the form filled in (400), saving nothing', async () => {
    w = await minutesWorld()
    const page = (await w.admin.get(MINUTES)).body
    const res = await w.admin.post(MINUTES, { _csrf: csrfToken(page), intro: 'Bonjour\u0007', [`text_${w.pitches[0]}`]: 'x'.repeat(9000) })
    expect(res.statusCode).toBe(400)
    expect(res.body).toContain('8000 caractères au plus.')
    expect(res.body).toContain('x'.repeat(50))
    expect(await w.t.db.selectFrom('minutes_draft').selectAll().execute()).toEqual([])
  })
})
