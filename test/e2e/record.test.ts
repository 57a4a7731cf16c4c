import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { DESKTOP, demoJourney, logIn, PHONE } from './journeys.js'

// At the table (#19): a facilitator on a phone (375 px) opens the demo's most recent past session from the
// platform's calendar, marks who came in one tap each, adds someone who came without notice, saves, and
// opens the pitches' record. Every page visited passes axe (WCAG 2.1 A/AA).

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.table@fabrik-lens-lievin.example.org', name: 'Camille Table', password: 'une phrase de passe assez longue', platform: SLUG }

/** Today in Europe/Paris, as the server computes it from its real clock. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

describe.skipIf(e2eSkipReason() !== null)('at the table: attendance on a phone', () => {
  const demo = demoJourney(FACILITATOR)

  it('records attendance with a walk-in at 375 px', async () => {
    const base = demo.server.url
    const page = await demo.journey.freshPage(PHONE)
    await logIn(page, base, FACILITATOR)

    // The most recent past session of this year's calendar.
    await page.goto(`${base}/admin/p/${SLUG}`)
    const hrefs = await page.locator(`a[href^="/admin/p/${SLUG}/sessions/2"]`).evaluateAll((links) => links.map((a) => a.getAttribute('href')!))
    const dates = hrefs.map((h) => h.split('/').pop()!).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d < today()).sort()
    const date = dates.at(-1)
    if (!date) throw new Error('the demo has no past session this year')
    await page.goto(`${base}/admin/p/${SLUG}/sessions/${date}`)
    await page.getByRole('link', { name: 'Présences', exact: true }).click()
    await page.waitForURL(`${base}/admin/p/${SLUG}/sessions/${date}/record/attendance`)
    await demo.journey.audit(page, 'attendance (phone)', 'record-attendance')

    // One tap for the first person listed, and a walk-in.
    const first = page.locator('fieldset[data-person]').first()
    const someone = (await first.count()) > 0
    if (someone) await first.getByRole('radio', { name: 'À distance' }).check()
    await page.getByLabel(/^Nom et prénom/).fill('Léon Visiteur')
    await page.getByLabel(/^Organisation/).fill('Mairie de Lens')
    await page.getByRole('button', { name: 'Enregistrer les présences' }).click()
    await page.getByText('Présences enregistrées.').waitFor()
    expect(await page.locator('fieldset[data-person] legend').allTextContents()).toContainEqual(expect.stringContaining('Léon Visiteur'))
    if (someone) expect(await page.locator('fieldset[data-person]').first().getAttribute('data-presence')).toBe('remote')
    const width = Number(await page.evaluate('document.documentElement.scrollWidth'))
    expect(width).toBeLessThanOrEqual(375) // no sideways scrolling at the table
    await demo.journey.audit(page, 'attendance saved (phone)', 'record-attendance-saved')

    await page.getByRole('link', { name: 'Compte rendu des présentations' }).click()
    await page.waitForURL(`${base}/admin/p/${SLUG}/sessions/${date}/record`)
    await demo.journey.audit(page, 'pitches record (phone)', 'record-pitches')
  })

  it("opens an initiative's journey (parcours) from its page, at 375 px and on a laptop", async () => {
    const base = demo.server.url
    for (const device of [PHONE, DESKTOP]) {
      const page = await demo.journey.freshPage(device)
      await logIn(page, base, FACILITATOR)
      await page.goto(`${base}/admin/p/${SLUG}/initiatives`)
      await page.getByRole('link', { name: 'Repair café de la cité des Provinces' }).click()
      await page.getByRole('link', { name: 'Voir son parcours' }).click()
      await page.waitForURL(/\/parcours$/)
      // The demo's repair café: pitched at both recorded sessions, a referral that went from proposée to aboutie.
      expect(await page.locator('li[data-entry="pitch"]').count()).toBeGreaterThanOrEqual(2)
      expect(await page.locator('li[data-entry="referral"]', { hasText: 'aboutie' }).count()).toBe(1)
      await demo.journey.audit(page, `journey (${device === PHONE ? 'phone' : 'desktop'})`, device === PHONE ? 'journey' : undefined)
    }
    expect(demo.journey.a11yFailures).toEqual([])
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
