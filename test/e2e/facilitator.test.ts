import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkA11y, e2eSkipReason, launchBrowser, newPage, screenshot, watchConsole } from './browser.js'
import { type RunningServer, startDemoServer } from './harness.js'
import type { ReceivedMail } from '../helpers/smtp.js'
import { calendarOf, linkIn, oneEventOf, recipients, waitForMails } from './mail.js'

// Journey 1: a facilitator, created from the command line on the demo platform, logs in with the keyboard,
// plans a year, places one session, publishes it, invites the partners (one email each, read on the in-test
// SMTP server), and finds the session on the public pages.
// Every page visited passes axe (WCAG 2.1 A/AA, no serious or critical violation).

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.martin@fabrik-lens-lievin.example.org', name: 'Camille Martin', password: 'une phrase de passe assez longue', platform: SLUG }

/** The day (YYYY-MM-DD) an instant falls on in Europe/Paris. */
function parisDate(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso))
}

/** The platform's current year (Europe/Paris), as the server computes it from its real clock. */
function currentYear(): number {
  return Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', year: 'numeric' }).format(new Date()))
}

describe.skipIf(e2eSkipReason() !== null)('journey 1: a facilitator plans, places and publishes a session, and invites the partners', () => {
  let server: RunningServer | undefined
  let browser: Browser | undefined
  let page: Page
  let consoleProblems: string[]
  const a11yFailures: string[] = []

  beforeAll(async () => {
    server = await startDemoServer(FACILITATOR)
    browser = await launchBrowser()
    page = await newPage(browser)
    consoleProblems = watchConsole(page)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  /** axe on the page as it stands; failures are collected so that one run reports every page. */
  async function audit(label: string, shot?: string) {
    try {
      await checkA11y(page, label)
    } catch (error) {
      a11yFailures.push((error as Error).message)
    }
    if (shot) await screenshot(page, shot)
  }

  async function tabTo(id: string) {
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab')
      if ((await page.evaluate('document.activeElement && document.activeElement.id')) === id) return
    }
    throw new Error(`#${id} cannot be reached with the Tab key on ${page.url()}`)
  }

  it('logs in, plans next-but-one year, places and publishes a session, invites the partners, and finds it on the public pages', async () => {
    const base = server!.url
    const admin = `${base}/admin/p/${SLUG}`
    const year = currentYear() + 2 // the demo seeds this year and next; this one is still empty

    // Login, with the keyboard only.
    await page.goto(`${base}/login`)
    expect(await page.title()).toContain('Connexion')
    await audit('login', 'login')
    await tabTo('email')
    await page.keyboard.type(FACILITATOR.email)
    await tabTo('password')
    await page.keyboard.type(FACILITATOR.password)
    await page.keyboard.press('Enter')

    // The platform's dashboard: /admin leads straight there for a facilitator of one platform.
    await page.waitForURL(admin)
    expect(await page.locator('h1').textContent()).toBe('La Fabrik à projets — Lens-Liévin')
    await audit('platform dashboard', 'admin-platform')

    // "Planifier une année": the year after next, August without a session.
    await page.getByRole('link', { name: 'Planifier une année' }).click()
    await page.waitForURL(`${admin}/plan`)
    await audit('plan form', 'admin-plan')
    await page.getByLabel('Année').fill(String(year))
    await page.getByRole('checkbox', { name: 'août' }).check() // ticked by default already; check() keeps it so
    await page.getByRole('button', { name: 'Créer les séances en brouillon' }).click()
    await page.waitForURL(`${admin}?year=${year}`)
    const links = page.locator(`table a[href^="/admin/p/${SLUG}/sessions/${year}-"]`)
    const hrefs = await links.evaluateAll((as) => as.map((a) => String((a as any).getAttribute('href'))))
    expect(hrefs.length).toBeGreaterThan(0)
    expect(hrefs.filter((h) => h.includes(`/${year}-08-`))).toEqual([])
    expect(await page.locator('tbody .status').allTextContents()).toEqual(hrefs.map(() => 'Brouillon'))
    await audit('platform dashboard with drafts', 'admin-platform-drafts')

    // One draft session: a commune and a venue, saved, then published.
    const date = hrefs[0]!.split('/').pop()!
    await links.first().click()
    await page.waitForURL(`${admin}/sessions/${date}`)
    await audit('session form (draft)', 'admin-session')
    const commune = page.getByRole('combobox', { name: /^Commune/ })
    await commune.selectOption(await commune.locator('option', { hasText: /^Liévin — / }).getAttribute('value') ?? '')
    const venue = page.getByRole('combobox', { name: /^Lieu/ })
    await venue.selectOption(await venue.locator('option', { hasText: 'Centre social Vachala' }).getAttribute('value') ?? '')
    await page.getByRole('button', { name: 'Enregistrer' }).click()
    await page.waitForURL(`${admin}/sessions/${date}?saved=1`)
    expect(await page.locator('main').textContent()).toContain('Liévin — Centre social Vachala')
    await page.getByRole('button', { name: 'Publier' }).click()
    await page.waitForURL(`${admin}/sessions/${date}`)
    expect(await page.locator('.status').first().textContent()).toBe('Publiée')
    await audit('session form (published)')

    // Invite the platform's partners ("Partenaires invités"): one email per active contact, each to one person
    // with their own link and a calendar REQUEST naming them alone. (Journey 3, partner.test.ts, follows a link.)
    await page.getByRole('link', { name: 'Partenaires invités' }).click()
    await page.waitForURL(`${admin}/sessions/${date}/partners`)
    expect(await page.locator('h1').textContent()).toBe('Partenaires invités')
    await audit('session partners (none invited)', 'admin-session-partners')
    const waiting = Number((await page.getByRole('group', { name: 'Organisations à inviter' }).locator('.hint').textContent())?.match(/\((\d+) personne\(s\)\)/)?.[1])
    expect(waiting).toBeGreaterThan(0)
    await page.getByRole('button', { name: 'Envoyer les invitations' }).click()
    await page.waitForURL(`${admin}/sessions/${date}/partners?invited=${waiting}`)
    expect(await page.getByRole('status').textContent()).toContain(`${waiting} invitation(s) envoyée(s)`)
    expect(await page.locator('table.attendance tfoot td').last().textContent()).toBe(String(waiting)) // "Sans réponse"
    await audit('session partners (invited)', 'admin-session-partners-invited')

    // The seed invited every active contact to the demo's next session: the same people must be invited here.
    const forThisSession = (m: ReceivedMail) => calendarOf(m).ics.events.some((e) => parisDate(e.start) === date)
    const invitations = await waitForMails(server!.smtp, { kind: 'session.invitation', where: forThisSession }, waiting, 20_000)
    const seeded = await waitForMails(server!.smtp, { kind: 'session.invitation', where: (m) => !forThisSession(m) }, waiting)
    expect(invitations).toHaveLength(waiting)
    const invitees = invitations.map((m) => {
      expect(m.envelope.rcptTo).toHaveLength(1)
      const to = m.envelope.rcptTo[0]!.address.toLowerCase()
      expect(oneEventOf(m, 'REQUEST').event.attendees).toEqual([`mailto:${to}`])
      expect(linkIn(m, /^\/rsvp\//)).toMatch(new RegExp(`^${base}/rsvp/[A-Za-z0-9_-]{22,}$`))
      return to
    }).sort()
    expect(new Set(invitees).size).toBe(waiting) // one each
    expect(new Set(invitations.map((m) => linkIn(m, /^\/rsvp\//))).size).toBe(waiting) // each their own link
    expect(invitees).toEqual(seeded.flatMap((m) => recipients(m)).sort())
    await page.getByRole('link', { name: /^← La séance du / }).click()
    await page.waitForURL(`${admin}/sessions/${date}`)

    // The public session page, as anyone sees it.
    await page.getByRole('link', { name: 'page publique', exact: true }).click()
    await page.waitForURL(`${base}/${SLUG}/sessions/${date}`)
    const place = await page.locator('dl.facts').textContent()
    expect(place).toContain('Liévin')
    expect(place).toContain('Centre social Vachala')
    await audit('public session page', 'public-session')

    // The public platform page lists it among the upcoming sessions.
    await page.getByRole('link', { name: '← Toutes les réunions' }).click()
    await page.waitForURL(`${base}/${SLUG}`)
    const card = page.locator(`article.card:has(a[href$="/${SLUG}/sessions/${date}"])`)
    expect(await card.locator('.place').textContent()).toContain('Liévin — Centre social Vachala')
    await audit('public platform page', 'public-platform')

    if (a11yFailures.length) throw new Error(a11yFailures.join('\n\n'))
    expect(consoleProblems).toEqual([])
  })
})
