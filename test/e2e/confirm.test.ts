import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'

// The confirmation pages (#24 §6) in a real browser, with axe (WCAG 2.1 A/AA) and, on a phone, reflow:
// "Annuler la séance" and "nouveau lien" from the facilitator's session pages. Nothing is confirmed: the demo
// stays as it is. (The holder's "Retirer ma présentation" page is audited in journey 2, holder.test.ts.)

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.martin@fabrik-lens-lievin.example.org', name: 'Camille Martin', password: 'une phrase de passe assez longue', platform: SLUG }

describe.skipIf(e2eSkipReason() !== null)('the confirmation pages', () => {
  const demo = demoJourney(FACILITATOR)
  const audit = (page: Page, label: string, shot?: string) => demo.journey.audit(page, label, shot)

  it('"Annuler la séance…" and "nouveau lien" each lead to a page saying what goes to whom, and pass axe', async () => {
    const base = demo.server.url
    const sessions = (await (await fetch(`${base}/${SLUG}/sessions.json`)).json()) as Array<{ date: string; status: string }>
    const next = sessions.find((s) => s.status === 'published')!
    const admin = `${base}/admin/p/${SLUG}/sessions/${next.date}`

    for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      const page = await demo.journey.freshPage(options)
      await logIn(page, base, FACILITATOR)
      await page.goto(admin)
      await page.getByRole('link', { name: 'Annuler la séance…' }).click()
      await page.waitForURL(`${admin}/cancel`)
      expect(await page.locator('[data-audience-partners]').textContent()).toMatch(/recevr(a|ont) une annulation/)
      await audit(page, `cancel confirmation (${device})`, device === 'desktop' ? 'confirm-cancel' : undefined)
      await page.getByRole('link', { name: 'Non, garder la séance' }).click()
      await page.waitForURL(admin)

      await page.goto(`${admin}/partners`)
      await page.getByRole('link', { name: /^Envoyer un nouveau lien à / }).first().click()
      await page.waitForURL(/\/partners\/\d+\/resend$/)
      expect(await page.locator('[data-confirm-to]').textContent()).toContain('recevra')
      await audit(page, `new link confirmation (${device})`, device === 'desktop' ? 'confirm-resend' : undefined)
    }
    const after = (await (await fetch(`${base}/${SLUG}/sessions.json`)).json()) as Array<{ date: string; status: string }>
    expect(after.find((s) => s.date === next.date)!.status).toBe('published')
    expect(demo.journey.a11yFailures).toEqual([])
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
