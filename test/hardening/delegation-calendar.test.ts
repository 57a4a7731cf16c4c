import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/app.js'
import { lintIcs, parseIcs } from '../helpers/ics-lint.js'
import { inviteAll, outbox, world, type World } from '../partners/helpers.js'

// A partner who sends a colleague: their personal feed drops the session, and so does their calendar — a CANCEL
// (uninvite: no STATUS, a higher SEQUENCE, RFC 5546 §3.2.5) — and answering again brings it back (#24 §6).

const HELENE = 'helene.dupre@caf.example.org'

describe("the delegating partner's calendar", () => {
  let w: World
  beforeEach(async () => {
    w = await world()
  })
  afterEach(() => w.t.close())

  it('gets a CANCEL when they send a colleague, and the REQUEST again when they answer themselves', async () => {
    const links = await inviteAll(w)
    const helene = new Client(w.t.app)
    const invitation = (await outbox(w.t.db)).find((m) => m.to_email === HELENE)!
    let before = (await outbox(w.t.db)).length
    expect((await helene.submit(links.get(HELENE)!, { answer: 'delegate', comment: '', delegate_name: 'Nina Roux', delegate_email: 'nina.roux@caf.example.org' })).statusCode).toBe(303)
    let mails = (await outbox(w.t.db)).slice(before)
    const mine = mails.filter((m) => m.to_email === HELENE)
    expect(mine.map((m) => `${m.kind}:${m.ical_method}`)).toEqual(['session.delegated:CANCEL'])
    expect(mine[0]!.subject).toContain('Vous êtes remplacé·e à la séance du vendredi 18 décembre 2026')
    expect(mine[0]!.text_body).toContain('Nina Roux participera à votre place')
    expect(mine[0]!.text_body).toContain('/rsvp/') // their link still works
    expect(lintIcs(mine[0]!.ical!)).toEqual([])
    const [request, cancel] = [invitation, mine[0]!].map((m) => parseIcs(m.ical!).events[0]!)
    expect(parseIcs(mine[0]!.ical!).method).toBe('CANCEL')
    expect(cancel!.uid).toBe(request!.uid)
    expect(cancel!.sequence!).toBeGreaterThan(request!.sequence!)
    expect(cancel!.status).toBeNull()
    expect(cancel!.attendees).toEqual([`mailto:${HELENE}`])
    // The colleague gets their own invitation, after.
    expect(mails.map((m) => m.to_email).at(-1)).toBe('nina.roux@caf.example.org')

    // Naming the same colleague again sends nothing more to Hélène.
    before = (await outbox(w.t.db)).length
    expect((await helene.submit(links.get(HELENE)!, { answer: 'delegate', comment: '', delegate_name: 'Nina Roux', delegate_email: 'nina.roux@caf.example.org' })).statusCode).toBe(303)
    expect((await outbox(w.t.db)).slice(before).filter((m) => m.to_email === HELENE)).toEqual([])

    // She comes after all: the session is back in her calendar.
    expect((await helene.submit(links.get(HELENE)!, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    mails = (await outbox(w.t.db)).slice(before)
    const back = mails.filter((m) => m.to_email === HELENE)
    expect(back.map((m) => `${m.kind}:${m.ical_method}`)).toEqual(['session.invitation:REQUEST'])
    expect(lintIcs(back[0]!.ical!)).toEqual([])
    expect(back[0]!.text_body).toContain('Vous ne vous faites plus remplacer')
  })
})
