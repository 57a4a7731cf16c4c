import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'

// The confirmation pages (#24 §6) in a real browser, with axe (WCAG 2.1 A/AA) and, on a phone, reflow:
// "Annuler la séance" and "nouveau lien" from the facilitator's session pages, then a new link sent and undone,
// and invitations the relay refuses, flagged on the answers table. The session is never cancelled. (The holder's
// "Retirer ma présentation" page is audited in journey 2, holder.test.ts.)

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.martin@fabrik-lens-lievin.example.org', name: 'Camille Martin', password: 'une phrase de passe assez longue', platform: SLUG }

describe.skipIf(e2eSkipReason() !== null)('the confirmation pages', () => {
  const demo = demoJourney(FACILITATOR)
  const audit = (page: Page, label: string, shot?: string) => demo.journey.audit(page, label, shot)

  it('"Annuler la séance…" and "nouveau lien" each lead to a page saying what goes to whom; a new link is undone; refused invitations are flagged; all pass axe', async () => {
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
    // "Oui, envoyer" on desktop: the answers table says the message waits and offers to undo it; undone, the
    // old link works again. Both states pass axe.
    const page = await demo.journey.freshPage(DESKTOP)
    await logIn(page, base, FACILITATOR)
    await page.goto(`${admin}/partners`)
    await page.getByRole('link', { name: /^Envoyer un nouveau lien à / }).first().click()
    await page.waitForURL(/\/partners\/\d+\/resend$/)
    await page.getByRole('button', { name: /^Oui, envoyer un nouveau lien à / }).click()
    await page.waitForURL(/\/partners\?/)
    await expect.poll(() => page.locator('[data-link-undo="yes"]').count()).toBe(1)
    await audit(page, 'new link sent, undo offered', 'link-undo')
    await page.getByRole('button', { name: 'Annuler le nouveau lien' }).click()
    await page.locator('[data-link-restored]').waitFor()
    await audit(page, 'new link undone')

    // Invitations to a later session while the platform's relay refuses every address: each failed one reads
    // "Invitation non remise" on the answers table, with a link to the mail on the Courriers page.
    const later = sessions.filter((s) => s.status === 'published' && s.date > next.date).at(-1)!
    await page.goto(`${base}/admin/p/${SLUG}/sessions/${later.date}/partners`)
    demo.server.smtp.setFailure(() => ({ code: 550, message: '5.1.1 Mailbox unavailable' }))
    await page.getByRole('button', { name: 'Envoyer les invitations' }).click()
    await page.waitForURL(/invited=/)
    // The worker sends in the background: wait for its failures to reach the table.
    await expect.poll(async () => { await page.reload(); return page.locator('[data-undelivered]').count() }, { timeout: 15_000 }).toBeGreaterThan(0)
    await audit(page, 'answers table with undelivered invitations', 'undelivered')
    await page.locator('[data-undelivered] a').first().click()
    await page.waitForURL(/\/courriers\/\d+$/)
    await audit(page, 'the undelivered invitation on the Courriers page')
    demo.server.smtp.setFailure(null)

    const after = (await (await fetch(`${base}/${SLUG}/sessions.json`)).json()) as Array<{ date: string; status: string }>
    expect(after.find((s) => s.date === next.date)!.status).toBe('published')
    expect(demo.journey.a11yFailures).toEqual([])
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
