import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { runScript } from './harness.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'

// Bilan (#21): a facilitator of the demo platform opens the year's indicators from the platform's menu, sets
// targets (a wrong one first: told in French, the form kept), sees each target beside its result in words,
// and downloads the CSV. Every page visited passes axe (WCAG 2.1 A/AA), on a desktop and on a phone (reflow).

const SLUG = 'lens-lievin'
const ADMIN = { email: 'alix.reseau@fabrik.example.org', name: 'Alix Réseau', password: 'une phrase de passe assez longue' }
const FACILITATOR = { email: 'camille.bilan@fabrik-lens-lievin.example.org', name: 'Camille Bilan', password: 'une phrase de passe assez longue', platform: SLUG }

/** The platform's current year (Europe/Paris), as the server computes it from its real clock. */
const currentYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', year: 'numeric' }).format(new Date()))

describe.skipIf(e2eSkipReason() !== null)('Bilan: the year\'s indicators against the targets', () => {
  const demo = demoJourney(FACILITATOR)

  it('shows the figures, takes the targets and says how far each is, in words', async () => {
    const base = demo.server.url
    const year = currentYear()
    for (const device of [DESKTOP, PHONE]) {
      const page = await demo.journey.freshPage(device)
      await logIn(page, base, FACILITATOR)
      await page.goto(`${base}/admin/p/${SLUG}`)
      await page.getByRole('navigation', { name: 'Sections de la plateforme' }).getByRole('link', { name: 'Bilan' }).click()
      await page.waitForURL(`${base}/admin/p/${SLUG}/indicators`)
      expect(await page.locator('h1').textContent()).toContain(`Bilan ${year}`)
      const held = Number((await page.locator('tr[data-indicator="sessionsHeld"] td[data-achieved]').textContent())!.replace(/\D/g, ''))
      const json = await page.evaluate(async (url) => (await fetch(url)).json(), `/admin/p/${SLUG}/report.json?year=${year}`) as Record<string, unknown>
      expect(json.sessionsHeld).toBe(held)
      await demo.journey.audit(page, `Bilan (${device === PHONE ? 'phone' : 'desktop'})`, device === PHONE ? 'indicators-phone' : 'indicators')
      if (device === PHONE) break

      // A wrong target: a French message, the other value kept, nothing saved.
      await page.getByRole('textbox', { name: /^Séances tenues/ }).fill(String(held + 2))
      await page.getByRole('textbox', { name: /^Initiatives présentées/ }).fill('beaucoup')
      await page.getByRole('button', { name: 'Enregistrer les objectifs' }).click()
      await page.waitForURL(`${base}/admin/p/${SLUG}/indicators/targets`)
      expect(await page.title()).toMatch(/^Erreur : Bilan/)
      expect(await page.locator('#target_pitches-error').textContent()).toContain('nombre entier positif')
      expect(await page.getByRole('textbox', { name: /^Séances tenues/ }).inputValue()).toBe(String(held + 2))
      await demo.journey.audit(page, 'Bilan, targets with an error', 'indicators-error')

      await page.getByRole('textbox', { name: /^Initiatives présentées/ }).fill('')
      await page.getByRole('button', { name: 'Enregistrer les objectifs' }).click()
      await page.waitForURL((url) => url.searchParams.get('ok') === 'targets')
      expect(await page.getByRole('status').textContent()).toContain('Objectifs enregistrés.')
      const row = page.locator('tr[data-indicator="sessionsHeld"]')
      expect(await row.textContent()).toContain('il manque 2.')
      expect(await row.locator('[data-progress]').getAttribute('data-progress')).toBe('short')
      await demo.journey.audit(page, 'Bilan with targets')

      const csv = await page.evaluate(async (url) => {
        const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer())
        return { bom: [...bytes.slice(0, 3)], text: new TextDecoder().decode(bytes.slice(3)) }
      }, `/admin/p/${SLUG}/report.csv?year=${year}`)
      expect(csv.bom).toEqual([0xef, 0xbb, 0xbf])
      expect(csv.text).toContain(`\r\nsessionsHeld;Séances tenues;${year};${held};${held + 2};-2;`)

      // The funder's annex, one click away: A4, the platform, the period, the targets beside the results.
      await page.getByRole('link', { name: 'Version à imprimer (A4)' }).click()
      await page.waitForURL(`${base}/admin/p/${SLUG}/indicators/print?year=${year}`)
      expect(await page.locator('h1').textContent()).toBe(`Bilan de l'année ${year}`)
      expect(await page.locator('tr[data-indicator="sessionsHeld"]').textContent()).toContain('il manque 2.')
      await demo.journey.audit(page, 'Bilan, print view', 'indicators-print')
      await page.emulateMedia({ media: 'print' })
      const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true })
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
    }
    expect(demo.journey.a11yFailures).toEqual([])
    // The one 400 is the targets form sent with a wrong value, on purpose (a response and a console error).
    const expected400 = (p: string) => p.includes(`400 for POST ${base}/admin/p/${SLUG}/indicators/targets`)
      || (p.startsWith(`${base}/admin/p/${SLUG}/indicators/targets: console error:`) && p.includes('status of 400'))
    expect(demo.journey.consoleProblems().filter((p) => !expected400(p))).toEqual([])
  })

  it('shows the administrators the network: every platform side by side and summed, and a date range', async () => {
    const base = demo.server.url
    const year = currentYear()
    await runScript(demo.server, 'user-add', ['--admin', '--email', ADMIN.email, '--name', ADMIN.name], { FABRIK_PASSWORD: ADMIN.password })
    for (const device of [DESKTOP, PHONE]) {
      const page = await demo.journey.freshPage(device)
      await logIn(page, base, ADMIN)
      await page.goto(`${base}/admin/platforms`)
      await page.getByRole('navigation', { name: "Navigation de l'animation" }).getByRole('link', { name: 'Réseau' }).click()
      await page.waitForURL(`${base}/admin/network`)
      expect(await page.locator('h1').textContent()).toBe(`Réseau : bilan ${year}`)
      expect(await page.locator('thead th[data-platform]').evaluateAll((ths) => ths.map((th) => th.getAttribute('data-platform')))).toEqual(['lens-lievin', 'province-luxembourg'])
      const held = await page.locator('tr[data-indicator="sessionsHeld"] td').allTextContents()
      expect(Number(held[2])).toBe(Number(held[0]) + Number(held[1]))
      await demo.journey.audit(page, `Réseau (${device === PHONE ? 'phone' : 'desktop'})`, device === PHONE ? 'network-phone' : 'network')
      if (device === PHONE) break

      // Another period: from the first of September to the end of August, across two years.
      await page.getByLabel('Du', { exact: true }).fill(`${year - 1}-09-01`)
      await page.getByLabel('Au (inclus)').fill(`${year}-08-31`)
      await page.getByRole('button', { name: 'Afficher la période' }).click()
      await page.waitForURL((url) => url.pathname === '/admin/network' && url.searchParams.get('from') === `${year - 1}-09-01`)
      expect(await page.locator('h1').textContent()).toContain(`au 31 août ${year}`)
      await demo.journey.audit(page, 'Réseau, a date range', 'network-range')
    }
    expect(demo.journey.a11yFailures).toEqual([])
  })
})
