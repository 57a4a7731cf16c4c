import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'

// The facilitator's home at a glance and the year planner's proposal, in Chromium on the demo: the next
// session with its pitches, free slots and answers; the plan's preview (dates, holidays, the rotation's
// commune per row), one commune changed, then the drafts created there. Every page passes axe (WCAG 2.1 A/AA)
// and reflows at 375 px.

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.plan@fabrik-lens-lievin.example.org', name: 'Camille Plan', password: 'une phrase de passe assez longue', platform: SLUG }
const currentYear = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', year: 'numeric' }).format(new Date()))

describe.skipIf(e2eSkipReason() !== null)('the home at a glance and the year planner', () => {
  const demo = demoJourney(FACILITATOR)

  it('shows the next session at a glance, previews a year with its communes, and creates it as chosen', async () => {
    const base = demo.server.url
    const admin = `${base}/admin/p/${SLUG}`
    const desk = await demo.journey.freshPage(DESKTOP)
    await logIn(desk, base, FACILITATOR, (url) => url.pathname === `/admin/p/${SLUG}`)
    const next = desk.locator('section[data-next-session]')
    await next.getByRole('heading', { name: 'Prochaine séance' }).waitFor()
    expect(await next.locator('[data-count="free"]').count()).toBe(1)
    expect(await next.locator('[data-answer-count]').count()).toBeGreaterThan(0)
    await demo.journey.audit(desk, 'platform home at a glance', 'admin-home-glance')

    // The year after next: nothing planned yet (the demo seeds this year and next).
    const year = currentYear() + 2
    await desk.getByRole('link', { name: 'Planifier une année' }).first().click()
    await desk.waitForURL(`${admin}/plan`)
    await desk.getByLabel('Année').fill(String(year))
    await desk.getByRole('button', { name: 'Voir la proposition' }).click()
    await desk.getByRole('heading', { name: `Proposition pour ${year}` }).waitFor()
    await demo.journey.audit(desk, 'plan preview', 'admin-plan-preview')
    const rows = desk.locator('section[data-plan-preview] tbody tr')
    expect(await rows.count()).toBeGreaterThan(5)
    const first = rows.first()
    const date = await first.getAttribute('data-date')
    const select = first.locator('select')
    const proposed = await select.inputValue()
    expect(proposed).not.toBe('') // the rotation proposed a commune
    const options = await select.locator('option').evaluateAll((os) => os.map((o) => [(o as any).value, (o as any).textContent]))
    const [chosenId, chosenName] = options.find(([v]) => v !== '' && v !== proposed) as [string, string]
    await select.selectOption(chosenId)
    await desk.getByRole('button', { name: 'Créer les séances en brouillon' }).click()
    await desk.waitForURL(`${admin}?year=${year}`)
    const row = desk.locator(`table tr:has(a[href="/admin/p/${SLUG}/sessions/${date}"])`)
    expect(await row.textContent()).toContain(chosenName)

    // A second look at the same year says it is planned, and proposes nothing more.
    await desk.goto(`${admin}/plan`)
    await desk.getByLabel('Année').fill(String(year))
    await desk.getByRole('button', { name: 'Voir la proposition' }).click()
    await desk.locator('[data-already-planned]').waitFor()
    expect(await desk.getByRole('button', { name: 'Créer les séances en brouillon' }).count()).toBe(0)

    const phone = await demo.journey.freshPage(PHONE)
    await logIn(phone, base, FACILITATOR, (url) => url.pathname === `/admin/p/${SLUG}`)
    await demo.journey.audit(phone, 'platform home at a glance (phone)')
    await phone.goto(`${admin}/plan`)
    await phone.getByRole('heading', { name: /^Proposition pour / }).waitFor()
    await demo.journey.audit(phone, 'plan preview (phone)')

    if (demo.journey.a11yFailures.length) throw new Error(demo.journey.a11yFailures.join('\n\n'))
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
