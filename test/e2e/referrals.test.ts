import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { e2eSkipReason, Journey, launchBrowser } from './browser.js'
import { type RunningServer, startDemoServer } from './harness.js'
import { linkIn, textOf, waitForMails } from './mail.js'

// Orientations (#19): a partner opens the link of a referral email from the demo on a phone, says where the
// referral stands with a note; the holder is mailed the news; the facilitator sees it on the Orientations
// page and the referral's history. Every page visited passes axe (WCAG 2.1 A/AA) and reflows at 375 px.

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.suivi@fabrik-lens-lievin.example.org', name: 'Camille Suivi', password: 'une phrase de passe assez longue', platform: SLUG }
const PHONE = { viewport: { width: 375, height: 740 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', isMobile: true, hasTouch: true }
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' }
const MADE = /^Une initiative vous est orientée/
const NOTE = 'Premier échange au téléphone, rendez-vous pris (e2e).'

describe.skipIf(e2eSkipReason() !== null)('orientations: a partner updates a referral from the emailed link', () => {
  let server: RunningServer | undefined
  let browser: Browser | undefined
  let journey: Journey

  beforeAll(async () => {
    server = await startDemoServer(FACILITATOR)
    browser = await launchBrowser()
    journey = new Journey(browser)
  })

  afterAll(async () => {
    await journey?.close()
    await browser?.close()
    await server?.stop()
  })

  it('moves a referral with a note on a phone; the holder is told; the facilitator sees its history', async () => {
    const base = server!.url
    const smtp = server!.smtp
    // The demo's referrals mailed their partners: open the links until one shows an open referral.
    const made = await waitForMails(smtp, { subject: MADE }, 1, 30_000)
    const phone = await journey.freshPage(PHONE)
    let opened = false
    for (const mail of made) {
      const link = linkIn(mail, /^\/referrals\//)
      expect(new URL(link).origin).toBe(base)
      await phone.goto(link)
      if (await phone.locator('section[data-referral] form').count()) { opened = true; break }
    }
    if (!opened) throw new Error('no demo referral email opens an open referral')
    await journey.audit(phone, 'referral link (phone)', 'referral-partner')

    const card = phone.locator('section[data-referral]').first()
    const id = await card.getAttribute('data-referral')
    const before = await card.locator('[data-status]').getAttribute('data-status')
    const next = card.locator('input[name="status"]:not(:checked)').first()
    const nextValue = await next.getAttribute('value')
    await next.check()
    await card.getByLabel(/^Un mot/).fill(NOTE)
    await card.getByRole('button', { name: 'Enregistrer' }).click()
    await phone.getByText("Merci, c'est enregistré.").waitFor()
    await journey.audit(phone, 'referral link after an update (phone)', 'referral-partner-saved')
    const after = phone.locator(`section[data-referral="${id}"] [data-status]`)
    if (await after.count()) expect(await after.getAttribute('data-status')).toBe(nextValue)
    expect(nextValue).not.toBe(before)

    // The holder's email carries the note and their own /pitch/ link.
    const [news] = await waitForMails(smtp, { subject: /^Votre orientation a avancé/, where: (m) => textOf(m).includes(NOTE) }, 1, 20_000)
    expect(new URL(linkIn(news!, /^\/pitch\//)).origin).toBe(base)

    // The facilitator: the Orientations page and the referral's history.
    const desk = await journey.freshPage(DESKTOP)
    await desk.goto(`${base}/login`)
    await desk.getByLabel('Adresse e-mail').fill(FACILITATOR.email)
    await desk.getByLabel('Mot de passe').fill(FACILITATOR.password)
    await desk.getByRole('button', { name: 'Se connecter' }).click()
    await desk.waitForURL((url) => url.pathname.startsWith('/admin'))
    await desk.goto(`${base}/admin/p/${SLUG}/referrals`)
    await desk.getByRole('heading', { name: 'Orientations', level: 1 }).waitFor()
    await journey.audit(desk, 'Orientations page', 'referrals-admin')
    await desk.goto(`${base}/admin/p/${SLUG}/referrals/${id}`)
    expect(await desk.locator('ol.history').textContent()).toContain(NOTE)
    await journey.audit(desk, 'referral detail', 'referral-admin-detail')

    const small = await journey.freshPage(PHONE)
    await small.context().addCookies(await desk.context().cookies())
    await small.goto(`${base}/admin/p/${SLUG}/referrals`)
    await journey.audit(small, 'Orientations page (phone)')

    if (journey.a11yFailures.length) throw new Error(journey.a11yFailures.join('\n\n'))
    expect(journey.consoleProblems()).toEqual([])
  }, 180_000)
})
