import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'
import { linkIn, textOf, waitForMails } from './mail.js'

// Orientations (#19): a partner opens the link of a referral email from the demo on a phone, says where the
// referral stands with a note; the holder is mailed the news; the facilitator sees it on the Orientations
// page and the referral's history. Every page visited passes axe (WCAG 2.1 A/AA) and reflows at 375 px.

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.suivi@fabrik-lens-lievin.example.org', name: 'Camille Suivi', password: 'une phrase de passe assez longue', platform: SLUG }
const MADE = /^Une initiative vous est orientée/
const NOTE = 'Premier échange au téléphone, rendez-vous pris (e2e).'

describe.skipIf(e2eSkipReason() !== null)('orientations: a partner updates a referral from the emailed link', () => {
  const demo = demoJourney(FACILITATOR)

  it('moves a referral with a note on a phone; the holder is told; the facilitator sees its history', async () => {
    const base = demo.server.url
    const smtp = demo.server.smtp
    // The demo's referrals mailed their partners: open the links, as they arrive, until one shows an open
    // referral (an organisation may have only referrals that are done with).
    const phone = await demo.journey.freshPage(PHONE)
    let opened = false
    for (let seen = 0; !opened && seen < 20; seen++) {
      const mail = (await waitForMails(smtp, { subject: MADE }, seen + 1, 30_000))[seen]!
      const link = linkIn(mail, /^\/referrals\//)
      expect(new URL(link).origin).toBe(base)
      await phone.goto(link)
      if (await phone.locator('section[data-referral] form').count()) opened = true
    }
    if (!opened) throw new Error('no demo referral email opens an open referral')
    await demo.journey.audit(phone, 'referral link (phone)', 'referral-partner')

    const card = phone.locator('section[data-referral]').first()
    const id = await card.getAttribute('data-referral')
    const before = await card.locator('[data-status]').getAttribute('data-status')
    const next = card.locator('input[name="status"]:not(:checked)').first()
    const nextValue = await next.getAttribute('value')
    await next.check()
    await card.getByLabel(/^Un mot/).fill(NOTE)
    await card.getByRole('button', { name: 'Enregistrer' }).click()
    await phone.getByText("Merci, c'est enregistré.").waitFor()
    await demo.journey.audit(phone, 'referral link after an update (phone)', 'referral-partner-saved')
    const after = phone.locator(`section[data-referral="${id}"] [data-status]`)
    if (await after.count()) expect(await after.getAttribute('data-status')).toBe(nextValue)
    expect(nextValue).not.toBe(before)

    // The holder's email carries the note and their own /pitch/ link.
    const [news] = await waitForMails(smtp, { subject: /^Votre orientation a avancé/, where: (m) => textOf(m).includes(NOTE) }, 1, 20_000)
    expect(new URL(linkIn(news!, /^\/pitch\//)).origin).toBe(base)

    // The facilitator: the Orientations page and the referral's history.
    const desk = await demo.journey.freshPage(DESKTOP)
    await logIn(desk, base, FACILITATOR)
    await desk.goto(`${base}/admin/p/${SLUG}/referrals`)
    await desk.getByRole('heading', { name: 'Orientations', level: 1 }).waitFor()
    await demo.journey.audit(desk, 'Orientations page', 'referrals-admin')
    await desk.goto(`${base}/admin/p/${SLUG}/referrals/${id}`)
    expect(await desk.locator('ol.history').textContent()).toContain(NOTE)
    await demo.journey.audit(desk, 'referral detail', 'referral-admin-detail')

    const small = await demo.journey.freshPage(PHONE)
    await small.context().addCookies(await desk.context().cookies())
    await small.goto(`${base}/admin/p/${SLUG}/referrals`)
    await demo.journey.audit(small, 'Orientations page (phone)')

    if (demo.journey.a11yFailures.length) throw new Error(demo.journey.a11yFailures.join('\n\n'))
    expect(demo.journey.consoleProblems()).toEqual([])
  }, 180_000)
})
