import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'

// The minutes (#20): a facilitator opens the demo's most recent past session (its minutes already sent by
// seed:demo), rewrites the introduction, previews what partners and each holder receive, and sends the
// correction; the page then says to how many it went and lists both versions. Every page passes axe.

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.minutes@fabrik-lens-lievin.example.org', name: 'Camille Minutes', password: 'une phrase de passe assez longue', platform: SLUG }

const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())

describe.skipIf(e2eSkipReason() !== null)('the minutes of a session', () => {
  const demo = demoJourney(FACILITATOR)

  it('edits, previews and sends a corrected version', async () => {
    const base = demo.server.url
    const page = await demo.journey.freshPage(DESKTOP)
    await logIn(page, base, FACILITATOR)
    await page.goto(`${base}/admin/p/${SLUG}`)
    const hrefs = await page.locator(`a[href^="/admin/p/${SLUG}/sessions/2"]`).evaluateAll((links) => links.map((a) => a.getAttribute('href')!))
    const date = hrefs.map((h) => h.split('/').pop()!).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d < today()).sort().at(-1)
    if (!date) throw new Error('the demo has no past session this year')
    const here = `${base}/admin/p/${SLUG}/sessions/${date}`
    await page.goto(here)
    await page.getByRole('link', { name: 'Envoi du compte rendu' }).click()
    await page.waitForURL(`${here}/minutes`)
    expect(await page.locator('li[data-version="1"]').count()).toBe(1) // sent by seed:demo
    await demo.journey.audit(page, 'minutes', 'minutes')

    await page.getByLabel(/^Introduction/).fill('Merci à toutes et à tous.\nCorrection : la salle Pasteur est prêtée le premier samedi.')
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click()
    await page.getByText('Brouillon enregistré.').waitFor()

    await page.getByRole('link', { name: 'Aperçu par destinataire' }).first().click()
    await page.waitForURL(`${here}/minutes/preview`)
    const partners = await page.locator('section[data-reader="partners"] pre').textContent()
    expect(partners).toContain('Correction : la salle Pasteur')
    expect(partners).toContain('compte rendu corrigé')
    const holders = await page.locator('section[data-reader="holder"] pre').allTextContents()
    expect(holders.length).toBeGreaterThanOrEqual(3)
    for (const text of holders) expect(text).not.toContain('Correction : la salle Pasteur')
    await demo.journey.audit(page, 'minutes preview', 'minutes-preview')

    await page.goto(`${here}/minutes`)
    const send = page.locator('button[data-send]')
    expect(await send.textContent()).toMatch(/la version 2 \(compte rendu corrigé\) à \d+ partenaires? et \d+ porteurs? de projet/)
    await send.click()
    await page.waitForURL(`${here}/minutes?sent=2`)
    expect(await page.locator('[data-sent="2"]').textContent()).toMatch(/envoyé à \d+ partenaires? et \d+ porteurs? de projet/)
    expect(await page.locator('li[data-version]').count()).toBe(2)
    await demo.journey.audit(page, 'minutes sent', 'minutes-sent')

    const phone = await demo.journey.freshPage(PHONE)
    await logIn(phone, base, FACILITATOR)
    await phone.goto(`${here}/minutes`)
    await demo.journey.audit(phone, 'minutes (phone)')
    await phone.goto(`${here}/minutes/print?version=2`)
    expect(await phone.getByRole('heading', { level: 1 }).textContent()).toContain('Compte rendu de la séance')
    await demo.journey.audit(phone, 'minutes print (phone)')

    expect(demo.journey.a11yFailures).toEqual([])
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
