import { afterEach, describe, expect, it } from 'vitest'
import { pollReplies } from '../../src/replies/poller.js'
import { csrfToken } from '../helpers/app.js'
import { skipWithoutDovecot } from '../helpers/dovecot.js'
import { outbox, rsvpPath } from '../partners/helpers.js'
import { CLAIRE, deliverBounce, fixture, MAIL_PAGE, PAGE, repliesWorld, type RepliesWorld, thunderbird, withDovecot } from './world.js'

// What facilitators see of calendar answers: on the session's answers page (the answer, "depuis son agenda",
// "peut-être", a failing address) and on the mail page (the poller's state, the messages not applied).

describe('without REPLY_IMAP_URL', () => {
  let w: RepliesWorld
  afterEach(async () => { await w.t.close() })

  it('the answers page and the mail page say calendar answers are not read, and where to turn them on', async () => {
    w = await repliesWorld(null)
    const answers = await w.admin.get(PAGE)
    expect(answers.statusCode).toBe(200)
    expect(answers.body).toContain('data-calendar-replies="off"')
    expect(answers.body).toContain("« Réponses depuis l'agenda » du README")
    const mail = await w.admin.get(MAIL_PAGE)
    expect(mail.body).toContain('data-replies="off"')
    expect(await pollReplies(w.t.app.ctx)).toMatchObject({ status: 'off' })
  })
})

describe.skipIf(skipWithoutDovecot())('with a mailbox (real Dovecot)', () => {
  const { dovecot, setUp } = withDovecot()

  it('a calendar answer reads "depuis son agenda" until the partner answers again on their link', async () => {
    const { w, mailbox, poll } = await setUp()
    await mailbox.append(fixture('apple-tentative'))
    await poll()
    const page = await w.admin.get(PAGE)
    expect(page.body).not.toContain('data-calendar-replies="off"')
    const claire = page.body.slice(page.body.indexOf('Claire Martin'), page.body.indexOf('</li>', page.body.indexOf('Claire Martin')))
    expect(claire).toContain('data-answer="tentative"')
    expect(claire).toContain('data-source="calendar"')

    const link = rsvpPath((await outbox(w.t.db)).find((m) => m.to_email === CLAIRE)!.text_body)
    w.t.clock.advance(60_000)
    const form = await w.admin.get(link)
    const done = await w.admin.post(link, { answer: 'on_site', comment: '', delegate_name: '', delegate_email: '', _csrf: csrfToken(form.body) })
    expect(done.statusCode).toBe(303)
    const after = await w.admin.get(PAGE)
    const row = after.body.slice(after.body.indexOf('Claire Martin'), after.body.indexOf('</li>', after.body.indexOf('Claire Martin')))
    expect(row).not.toContain('data-source="calendar"')
    expect(row).not.toContain('data-answer="tentative"')
  })

  it('the mail page shows the poller state and the messages left in the inbox', async () => {
    const { w, mailbox, poll } = await setUp()
    await mailbox.append(thunderbird())
    await mailbox.append(fixture('plain-answer'))
    await mailbox.append(thunderbird({ attendee: 'intrus@example.net', messageId: '<crasher@example.net>' }))
    await poll()
    const page = await w.admin.get(MAIL_PAGE)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('data-replies="on"')
    expect(page.body).toContain('data-applied="1"')
    expect(page.body).toContain('data-unmatched="2"')
    expect(page.body).toContain('data-reason="no_calendar"')
    expect(page.body).toContain('data-reason="not_invited"')
    expect(page.body).toContain('intrus@example.net')
    expect(page.body).not.toContain(mailbox.password)
  })

  it('while the server is down the mail page says so, with the next attempt', async () => {
    const { w, poll } = await setUp()
    await dovecot().stop()
    try {
      await poll()
      const page = await w.admin.get(MAIL_PAGE)
      expect(page.body).toContain("La boîte n'a pas pu être lue")
      expect(page.body).toContain('Nouvel essai à partir du')
    } finally {
      await dovecot().start()
    }
  })

  it('a bounce shows the address as failing on the answers page', async () => {
    const { w, mailbox, poll } = await setUp()
    await deliverBounce(w, mailbox)
    await poll()
    const page = await w.admin.get(PAGE)
    expect(page.body).toContain('data-address="failing"')
    expect(page.body).toContain('Adresse en échec : 5.1.1')
  })
})
