import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/app.js'
import { inviteAll, outbox, SESSION_PAGE, world, type World } from '../partners/helpers.js'

// "Relancer" says before the click how many people it will write to — only those it really writes to — and
// sends its own mail (session.invitation-reminder), not the invitation's subject again.

describe('"Relancer"', () => {
  let w: World
  beforeEach(async () => {
    w = await world()
  })
  afterEach(() => w.t.close())

  it('counts only those invited or reminded more than an hour ago, and sends exactly that many reminders', async () => {
    const links = await inviteAll(w)
    // Within the hour: four without an answer, none to write to — the page says so and offers no button.
    let page = await w.admin.get(SESSION_PAGE)
    expect(page.body).toContain('data-remindable="0"')
    expect(page.body).toContain('les 4 personnes sans réponse ont été invitées ou relancées il y a moins d\'une heure')
    expect(page.body).not.toContain('Relancer les')

    expect((await new Client(w.t.app).submit(links.get('helene.dupre@caf.example.org')!, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    w.t.clock.advance(2 * 24 * 3600 * 1000)
    await w.admin.login('camille@test.example.org')
    page = await w.admin.get(SESSION_PAGE)
    expect(page.body).toContain('data-remindable="3"')
    expect(page.body).toContain('Relancer les 3 personnes sans réponse')

    const before = (await outbox(w.t.db)).length
    const res = await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/remind`)
    expect(res.headers.location).toBe(`${SESSION_PAGE}?reminded=3`)
    const sent = (await outbox(w.t.db)).slice(before)
    expect(sent).toHaveLength(3)
    for (const m of sent) {
      expect(m.kind).toBe('session.invitation-reminder')
      expect(m.subject).toMatch(/^Rappel : merci de répondre à l'invitation pour la séance du vendredi 18 décembre 2026/)
      expect(m.subject).not.toContain('Invitation :')
      expect(m.text_body).toContain('Petit rappel')
      expect(m.ical_method).toBe('REQUEST')
    }
    // Just reminded: the button is gone again, and the page says why.
    page = await w.admin.get(SESSION_PAGE)
    expect(page.body).toContain('data-remindable="0"')
  })
})
