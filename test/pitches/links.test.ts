import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { pitchLinkEnd } from '../../src/pitches/links.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { bookConfirmed, bookingFields, confirmationLink, outbox, publishedSession, sentText } from './helpers.js'

// Issue #25 §6: every personal link of a holder has a version and an end; every earlier version answers 410
// (GET and POST, before any CSRF check), and the holder or a facilitator can replace the calendar feed link.

const DATE = '2026-12-18'
const FORM = `/test/sessions/${DATE}/pitch`

describe("a holder's links", () => {
  let t: TestApp
  let p: Platform
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    await publishedSession(t.db, p)
  })
  afterEach(() => t.close())

  const status = async (url: string) => (await t.app.inject(url)).statusCode
  const postStatus = async (url: string) => (await t.app.inject({ method: 'POST', url, payload: 'action=withdraw', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode
  /** Withdraws, then books the same session again with the form (a known address: the link comes by email). */
  async function withdrawAndRebook(url: string) {
    expect((await new Client(t.app).submit(url, { action: 'withdraw' })).statusCode).toBe(303)
    expect((await new Client(t.app).submit(FORM, bookingFields(1))).headers.location).toBe(`${FORM}/envoye`)
    const confirm = await confirmationLink(t.app, t.db, 'porteur1@example.org')
    expect((await new Client(t.app).submit(confirm, { action: 'confirm' })).statusCode).toBe(303)
    const mail = (await outbox(t.db)).at(-1)!
    expect(mail.kind).toBe('pitch.confirmed')
    return { confirm, url: /http:\/\/fabrik\.test(\/pitch\/[A-Za-z0-9_-]{43})\b/.exec(sentText(t.app, mail))![1]! }
  }

  it('every earlier link version answers 410, to every method, with a French page naming whom to write to', async () => {
    const first = await bookConfirmed(t.app, t.db, FORM, bookingFields(1))
    const firstConfirm = await confirmationLink(t.app, t.db, 'porteur1@example.org')
    const second = await withdrawAndRebook(first)
    const third = await withdrawAndRebook(second.url)
    for (const old of [first, firstConfirm, second.url, second.confirm]) {
      expect(await status(old), old).toBe(410)
      expect(await postStatus(old), old).toBe(410) // before the CSRF check: no token sent
    }
    const gone = await t.app.inject(first)
    expect(gone.body).toContain('Ce lien a été remplacé')
    expect(gone.body).toContain('Animatrice Test (animation@test.example.org)')
    expect(gone.headers['cache-control']).toBe('no-store')
    for (const current of [third.url, third.confirm]) expect(await status(current)).toBe(200)
    expect((await t.app.inject(third.url)).body).toContain('data-status="confirmed"')
    // An altered link is still a 404, not a 410.
    expect(await status(first.slice(0, -1) + (first.endsWith('A') ? 'B' : 'A'))).toBe(404)
  })

  it('ends twelve months after the session (410 "expiré"), and opens until then', async () => {
    const url = await bookConfirmed(t.app, t.db, FORM, bookingFields(1))
    const end = pitchLinkEnd('2026-12-18T11:00:00.000Z')
    expect(end).toBe('2027-12-18T11:00:00.000Z')
    t.clock.set('2027-12-18T10:59:00.000Z')
    expect(await status(url)).toBe(200)
    t.clock.set('2027-12-18T11:01:00.000Z')
    const expired = await t.app.inject(url)
    expect(expired.statusCode).toBe(410)
    expect(expired.body).toContain('Ce lien a expiré')
    expect(expired.body).toContain('animation@test.example.org')
    expect(await postStatus(url)).toBe(410)
  })

  it('the holder replaces their calendar link from their page, a facilitator from the triage: each earlier one answers 410, emails carry the new one', async () => {
    const url = await bookConfirmed(t.app, t.db, FORM, bookingFields(1))
    const feedOf = (html: string) => /href="(http:\/\/fabrik\.test\/feeds\/[A-Za-z0-9_-]{43}\.ics)"/.exec(html)![1]!.replace('http://fabrik.test', '')
    const page = await t.app.inject(url)
    expect(page.body).toContain('Remplacer le lien de mon agenda')
    const v0 = feedOf(page.body)
    expect(await status(v0)).toBe(200)
    const res = await new Client(t.app).submit(url, { action: 'feed' })
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${url}?done=feed#agenda`)
    const after = await t.app.inject(`${url}?done=feed`)
    expect(after.body).toContain('Le lien de votre agenda est remplacé')
    const v1 = feedOf(after.body)
    expect(v1).not.toBe(v0)
    expect(await status(v0)).toBe(410)
    expect(await status(v1)).toBe(200)

    const admin = await facilitatorClient(t.app, t.db, [p.id])
    const pitchId = (await t.db.selectFrom('pitch').select('id').executeTakeFirstOrThrow()).id
    const triage = `/admin/p/test/sessions/${DATE}/pitches`
    expect((await admin.get(triage)).body).toContain("Remplacer le lien d'agenda")
    expect((await admin.submit(triage, { action: 'feed' }, `${triage}/${pitchId}`)).statusCode).toBe(303)
    const v2 = feedOf((await t.app.inject(url)).body)
    expect([await status(v0), await status(v1), await status(v2)]).toEqual([410, 410, 200])

    // The next emails, the holder's own and the session's, carry the current link.
    const seen = (await outbox(t.db)).length
    await admin.submit(`/admin/p/test/sessions/${DATE}`, { video_url: 'https://visio.example.org/salle-42' }, `/admin/p/test/sessions/${DATE}/visio`)
    await new Client(t.app).submit(url, { action: 'withdraw' })
    const mails = (await outbox(t.db)).slice(seen)
    expect(mails.map((m) => m.kind)).toEqual(['session.updated', 'pitch.withdrawn'])
    for (const m of mails) {
      expect(sentText(t.app, m)).toContain(`http://fabrik.test${v2}`)
      expect(sentText(t.app, m)).not.toContain(v1)
    }
  })
})
