import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney } from './journeys.js'
import { linkIn, oneEventOf, textOf, waitForMail } from './mail.js'

// Journey 2: a holder, on a phone, opens the public session page, books a slot, follows the link in the
// confirmation email (from the phone's mail app: a new browser), edits the initiative, then withdraws; each
// step's email is read on the in-test SMTP server. Then the booking form with the keyboard only: labels,
// focus order, visible focus, errors announced. Every page visited passes axe (WCAG 2.1 A/AA).

const SLUG = 'lens-lievin'
const PHONE = { viewport: { width: 375, height: 812 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' }
const TOKEN_PATH = /^\/pitch\/[A-Za-z0-9_-]{22,}$/

interface PublicSession { date: string; start: string; end: string; status: string; url: string; freePitchSlots: number }

/** Today on the platform's clock (Europe/Paris), as YYYY-MM-DD. */
function todayInParis(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date())
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** What the keyboard is on: a form control's name (radios and checkboxes: name=value), else role and text. */
const FOCUSED = `(() => {
  const el = document.activeElement
  if (!el || el === document.body) return null
  const name = el.getAttribute('name')
  const type = el.getAttribute('type')
  const r = el.getBoundingClientRect()
  const style = getComputedStyle(el)
  const label = name ? (type === 'radio' || type === 'checkbox' ? name + '=' + el.getAttribute('value') : name)
    : el.tagName.toLowerCase() + ':' + (el.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40)
  return {
    label, name, id: el.id || null,
    top: r.top + window.scrollY, left: r.left + window.scrollX, height: r.height,
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth) || 0, boxShadow: style.boxShadow,
    focusVisible: el.matches(':focus-visible'),
  }
})()`

interface Focused {
  label: string
  name: string | null
  id: string | null
  top: number
  left: number
  height: number
  outlineStyle: string
  outlineWidth: number
  boxShadow: string
  focusVisible: boolean
}

describe.skipIf(e2eSkipReason() !== null)('journey 2: a holder books a slot on a phone, then edits and withdraws from the email link', () => {
  const demo = demoJourney()

  /** A fresh phone-sized browser context (no cookies): a new device, or the phone's mail app opening a link. */
  const phonePage = () => demo.journey.freshPage(PHONE)
  const audit = (page: Page, label: string, shot?: string) => demo.journey.audit(page, label, shot)
  const allConsoleProblems = () => demo.journey.consoleProblems()

  /** A published session still open for booking (closes 7 days before), with a free slot, from sessions.json. */
  async function bookableSession(): Promise<PublicSession> {
    const res = await fetch(`${demo.server.url}/${SLUG}/sessions.json`)
    expect(res.status).toBe(200)
    const sessions = (await res.json()) as PublicSession[]
    const after = addDays(todayInParis(), 8)
    const s = sessions.find((x) => x.status === 'published' && x.date > after && x.freePitchSlots > 0)
    if (!s) throw new Error(`no bookable session in sessions.json after ${after}: ${JSON.stringify(sessions.map((x) => [x.date, x.freePitchSlots]))}`)
    return s
  }

  it('books from the public session page, then edits and withdraws through the link in the confirmation email', async () => {
    const base = demo.server.url
    const smtp = demo.server.smtp
    const a11yBefore = demo.journey.a11yFailures.length
    const session = await bookableSession()
    const holder = { name: 'Aïcha Mansouri', email: 'aicha.mansouri@habitants.example.org', phone: '06 12 34 56 78' }
    const title = 'Repair café du quartier Calonne'

    // The platform page, on a phone; the session is one of its cards.
    const page = await phonePage()
    await page.goto(`${base}/${SLUG}`)
    await audit(page, 'public platform page (phone)')
    await page.locator(`a[href$="/${SLUG}/sessions/${session.date}"]`).first().click()
    await page.waitForURL(`${base}/${SLUG}/sessions/${session.date}`)
    await audit(page, 'public session page (phone)', 'holder-session')

    // "Réserver un créneau": the booking form, filled by its labels.
    await page.getByRole('link', { name: 'Réserver un créneau' }).click()
    await page.waitForURL(`${base}/${SLUG}/sessions/${session.date}/pitch`)
    expect(await page.locator('h1').textContent()).toBe('Présenter une initiative')
    await audit(page, 'booking form (phone)', 'holder-pitch-form')
    await page.getByLabel('Votre nom et prénom').fill(holder.name)
    await page.getByLabel('Votre adresse e-mail').fill(holder.email)
    await page.getByLabel('Votre téléphone').fill(holder.phone)
    await page.getByRole('radio', { name: 'Association' }).check()
    await page.getByLabel('Votre commune').selectOption('Liévin')
    await page.getByLabel("Titre de l'initiative").fill(title)
    await page.getByLabel('En quelques lignes').fill('Un samedi par mois, des bénévoles réparent avec les habitants leurs petits appareils, au lieu de les jeter.')
    await page.getByLabel('Domaine').selectOption({ label: 'Environnement' })
    await page.getByRole('checkbox', { name: 'Un local' }).check()
    await page.getByRole('checkbox', { name: 'Des bénévoles' }).check()
    await page.getByRole('radio', { name: 'Un projet construit' }).check()
    await page.getByRole('radio', { name: 'Sur place' }).check()
    await page.getByRole('checkbox', { name: /J'accepte que mes coordonnées/ }).check()
    await page.getByRole('button', { name: 'Réserver mon créneau' }).click()

    // The holder's page: the slot is held until the holder confirms from the email (issue #25).
    await page.waitForURL((url) => TOKEN_PATH.test(url.pathname))
    const holderUrl = page.url()
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('pending')
    expect(await page.locator('dl.facts').textContent()).toContain(title)
    expect(await page.locator('[data-address="unconfirmed"]').textContent()).toContain('Un e-mail de confirmation vient de vous être envoyé')
    await audit(page, "holder's page (awaiting confirmation)", 'holder-pitch-unconfirmed')

    // The "confirm your booking" email: its own link, which the form's answer never gave; opened from the
    // phone's mail app (a new browser, no cookie from the booking), its button confirms.
    const verify = await waitForMail(smtp, { to: holder.email, kind: 'pitch.verify' })
    expect(verify.envelope.rcptTo).toHaveLength(1)
    expect(verify.parsed.subject).toMatch(/^Confirmez votre réservation pour la séance du /)
    const confirmLink = linkIn(verify, /^\/pitch\//)
    expect(new URL(confirmLink).origin).toBe(base)
    expect(confirmLink).not.toBe(holderUrl)
    const confirmPage = await phonePage()
    await confirmPage.goto(confirmLink)
    expect(await confirmPage.locator('[data-status]').getAttribute('data-status')).toBe('pending')
    await audit(confirmPage, "holder's page from the confirmation email")
    await confirmPage.getByRole('button', { name: 'Confirmer ma réservation' }).click()
    await confirmPage.waitForURL(`${confirmLink}?done=confirm`)
    expect(await confirmPage.locator('[data-status]').getAttribute('data-status')).toBe('confirmed')
    await audit(confirmPage, "holder's page (confirmed)", 'holder-pitch')

    // The confirmation email: subject, text with the personal link, a calendar REQUEST for this session.
    const confirmed = await waitForMail(smtp, { to: holder.email, kind: 'pitch.confirmed' })
    expect(confirmed.envelope.rcptTo).toHaveLength(1)
    expect(confirmed.parsed.subject).toMatch(/^Votre présentation est confirmée pour la séance du /)
    expect(textOf(confirmed)).toContain(title)
    const { event } = oneEventOf(confirmed, 'REQUEST')
    expect(event.attendees).toEqual([`mailto:${holder.email}`])
    // The event lies within the session (the whole session, or the holder's slot in it).
    expect(Date.parse(event.start)).toBeGreaterThanOrEqual(Date.parse(session.start))
    expect(Date.parse(event.end ?? event.start)).toBeLessThanOrEqual(Date.parse(session.end))
    const link = linkIn(confirmed, /^\/pitch\//)
    expect(new URL(link).origin).toBe(base) // PUBLIC_URL, never a request header
    expect(TOKEN_PATH.test(new URL(link).pathname)).toBe(true)
    expect(link).toBe(holderUrl)

    // The link opened from the phone's mail app: a new browser context, no cookie from the booking.
    const mailApp = await phonePage()
    await mailApp.goto(link)
    expect(await mailApp.locator('[data-status]').getAttribute('data-status')).toBe('confirmed')
    await audit(mailApp, "holder's page from the email link")
    const titleField = mailApp.getByLabel("Titre de l'initiative")
    expect(await titleField.inputValue()).toBe(title)

    // Edit the title.
    const newTitle = 'Repair café solidaire de Calonne'
    await titleField.fill(newTitle)
    await mailApp.getByRole('button', { name: 'Enregistrer les modifications' }).click()
    await mailApp.waitForURL(`${link}?done=edit`)
    expect(await mailApp.getByRole('status').textContent()).toContain('Vos modifications sont enregistrées.')
    expect(await mailApp.locator('dl.facts').textContent()).toContain(newTitle)
    expect(await mailApp.getByLabel("Titre de l'initiative").inputValue()).toBe(newTitle)
    expect(await mailApp.locator('[data-status]').getAttribute('data-status')).toBe('confirmed')
    await audit(mailApp, "holder's page (edited)")

    // Withdraw: a page first says what will be sent, then its button withdraws (#24).
    await mailApp.getByRole('link', { name: 'Retirer ma présentation…' }).click()
    await mailApp.waitForURL(`${link}/retirer`)
    expect(await mailApp.locator('main').textContent()).toContain('Vous recevrez un e-mail qui confirme le retrait')
    await audit(mailApp, "holder's withdrawal confirmation")
    await mailApp.getByRole('button', { name: 'Oui, retirer ma présentation' }).click()
    await mailApp.waitForURL(`${link}?done=withdraw`)
    expect(await mailApp.locator('[data-status]').getAttribute('data-status')).toBe('withdrawn')
    expect(await mailApp.getByRole('status').textContent()).toContain('Votre présentation est retirée.')
    expect(await mailApp.getByRole('link', { name: 'Retirer ma présentation…' }).count()).toBe(0)
    await audit(mailApp, "holder's page (withdrawn)", 'holder-pitch-withdrawn')

    // The withdrawal email cancels the calendar event the confirmation created.
    const withdrawn = await waitForMail(smtp, { to: holder.email, kind: 'pitch.withdrawn' })
    expect(withdrawn.envelope.rcptTo).toHaveLength(1)
    expect(textOf(withdrawn)).toContain(newTitle)
    const cancelled = oneEventOf(withdrawn, 'CANCEL').event
    expect(cancelled.uid).toBe(event.uid)
    expect(cancelled.sequence ?? 0).toBeGreaterThan(event.sequence ?? 0)

    if (demo.journey.a11yFailures.length > a11yBefore) throw new Error(demo.journey.a11yFailures.slice(a11yBefore).join('\n\n'))
    expect(allConsoleProblems()).toEqual([])
  })

  it('the booking form works with the keyboard only: labels, focus order, visible focus, errors announced', async () => {
    const base = demo.server.url
    const a11yBefore = demo.journey.a11yFailures.length
    const session = await bookableSession()
    const page = await phonePage()
    const consoleBefore = allConsoleProblems().length
    await page.goto(`${base}/${SLUG}/sessions/${session.date}/pitch`)

    // Every control has an accessible label (a <label for>, or a wrapping <label>).
    const unlabelled = await page.locator('form.stack').evaluate((form) => {
      const controls = [...form.querySelectorAll('input:not([type=hidden]), select, textarea')] as any[]
      return controls.filter((c) => !c.labels || c.labels.length === 0 || ![...c.labels].some((l: any) => l.textContent.trim()))
        .map((c) => c.name || c.outerHTML)
    })
    expect(unlabelled).toEqual([])
    for (const label of ['Votre nom et prénom', 'Votre adresse e-mail', 'Votre téléphone', 'Votre commune', "Titre de l'initiative", 'En quelques lignes', 'Domaine']) {
      expect(await page.getByLabel(label).count(), label).toBe(1)
    }

    const focused = () => page.evaluate(FOCUSED) as Promise<Focused | null>
    async function tab(): Promise<Focused> {
      await page.keyboard.press('Tab')
      const f = await focused()
      if (!f) throw new Error(`Tab left the page on ${page.url()}`)
      return f
    }
    async function tabTo(test: (f: Focused) => boolean, what: string, max = 40): Promise<Focused> {
      for (let i = 0; i < max; i++) {
        const f = await tab()
        if (test(f)) return f
      }
      throw new Error(`${what} cannot be reached with the Tab key on ${page.url()}`)
    }

    // Tab from the top of the page to the first field, then through the whole form to the submit button,
    // typing on the way. Space ticks radios and checkboxes; arrow keys pick in a closed <select>.
    const order: Focused[] = []
    const step = (f: Focused) => (order.push(f), f)
    await step(await tabTo((f) => f.name === 'holder_name', 'the name field', 15))
    await page.keyboard.type('Bernard Lemaire')
    await step(await tab()) // holder_email
    await page.keyboard.type('bernard.lemaire@') // invalid
    await step(await tab()) // holder_phone, left empty
    await step(await tab()) // first holder_kind radio
    await page.keyboard.press('Space')
    await step(await tab()) // commune
    await page.keyboard.press('ArrowDown')
    await step(await tab()) // initiative_title
    await page.keyboard.type('Fête des voisins de la cité 4')
    await step(await tab()) // initiative_summary
    await page.keyboard.type('Une grande tablée dans la rue, préparée par les voisins.')
    await step(await tab()) // domain
    await page.keyboard.press('ArrowDown')
    for (;;) {
      const f = await step(await tab())
      if (f.name === 'needs' && f.label === 'needs=benevoles') await page.keyboard.press('Space')
      if (f.name === 'stage') await page.keyboard.press('Space')
      if (f.label.startsWith('button:')) break
      if (order.length > 40) throw new Error(`the submit button is not reached: ${order.map((o) => o.label).join(', ')}`)
    }

    // The order: the fields in the order they are shown, one stop per radio group.
    const labels = order.map((f) => f.label)
    expect(labels).toEqual([
      'holder_name', 'holder_email', 'holder_phone', 'holder_kind=resident', 'commune', 'initiative_title', 'initiative_summary', 'domain',
      'needs=local', 'needs=financement', 'needs=partenaires', 'needs=methode', 'needs=benevoles', 'needs=communication',
      'stage=idee', 'attendance=on_site', 'public_title=yes', 'consent=yes',
      // The privacy notice, linked beside the consent (#17).
      'a:Données personnelles et vie privée', 'shares_contact=yes', 'button:Réserver mon créneau',
    ])
    // …which is the visual order: each stop below the previous one (or on its line, to its right).
    for (let i = 1; i < order.length; i++) {
      const [a, b] = [order[i - 1]!, order[i]!]
      const sameLine = Math.abs(b.top - a.top) < Math.min(a.height, b.height) / 2
      expect(sameLine ? b.left > a.left : b.top > a.top, `${a.label} → ${b.label} goes back up the page`).toBe(true)
    }
    // Focus is visible on every stop: the :focus-visible outline (or a box-shadow).
    const invisible = order.filter((f) => !(f.focusVisible && ((f.outlineStyle !== 'none' && f.outlineWidth > 0) || f.boxShadow !== 'none')))
    expect(invisible.map((f) => `${f.label} (outline ${f.outlineStyle} ${f.outlineWidth}px, box-shadow ${f.boxShadow})`)).toEqual([])

    // Submit with Enter on the button: invalid email, no consent.
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')])
    await page.waitForLoadState()
    expect(page.url()).toBe(`${base}/${SLUG}/sessions/${session.date}/pitch`)

    // Errors announced: a role="alert" summary, each invalid field aria-invalid and described by its visible message.
    const summary = page.getByRole('alert')
    await summary.waitFor()
    expect(await summary.textContent()).toContain('Le formulaire contient 2 erreur(s)')
    for (const { field, control } of [
      { field: 'holder_email', control: page.getByLabel('Votre adresse e-mail') },
      { field: 'consent', control: page.getByRole('checkbox', { name: /J'accepte que mes coordonnées/ }) },
    ]) {
      expect(await control.getAttribute('aria-invalid'), field).toBe('true')
      const describedBy = (await control.getAttribute('aria-describedby'))?.split(/\s+/) ?? []
      expect(describedBy, field).toContain(`${field}-error`)
      const message = page.locator(`#${field}-error`)
      expect(await message.isVisible(), `#${field}-error`).toBe(true)
      expect((await message.textContent())?.trim(), `#${field}-error`).not.toBe('')
      expect(await summary.textContent()).toContain((await message.textContent())!.trim())
    }
    // The summary's links lead to the fields.
    const targets = await summary.locator('a').evaluateAll((as) => as.map((a) => {
      const id = decodeURIComponent(String((a as any).getAttribute('href')).slice(1))
      return { id, exists: (globalThis as any).document.getElementById(id) !== null }
    }))
    expect(targets).toEqual([{ id: 'holder_email', exists: true }, { id: 'consent', exists: true }])
    await audit(page, 'booking form with errors (phone)', 'holder-pitch-form-errors')

    // Everything typed is still there.
    expect(await page.getByLabel('Votre nom et prénom').inputValue()).toBe('Bernard Lemaire')
    expect(await page.getByLabel('Votre adresse e-mail').inputValue()).toBe('bernard.lemaire@')
    expect(await page.getByRole('radio', { name: 'Habitant·e' }).isChecked()).toBe(true)
    expect(await page.getByLabel('Votre commune').inputValue()).not.toBe('')
    expect(await page.getByLabel("Titre de l'initiative").inputValue()).toBe('Fête des voisins de la cité 4')
    expect(await page.getByLabel('En quelques lignes').inputValue()).toBe('Une grande tablée dans la rue, préparée par les voisins.')
    expect(await page.getByLabel('Domaine').inputValue()).not.toBe('')
    expect(await page.getByRole('checkbox', { name: 'Des bénévoles' }).isChecked()).toBe(true)
    expect(await page.getByRole('radio', { name: 'Une idée' }).isChecked()).toBe(true)
    expect(await page.getByRole('radio', { name: 'Sur place' }).isChecked()).toBe(true)

    // Correct with the keyboard: the summary's first link leads to the email field; then consent; then Enter.
    await tabTo((f) => f.label.startsWith('a:') && /e-mail/i.test(f.label), "the summary's link to the email field", 15)
    await page.keyboard.press('Enter')
    await page.waitForFunction('document.activeElement && document.activeElement.id === "holder_email"')
    await page.keyboard.press('ControlOrMeta+A')
    await page.keyboard.type('bernard.lemaire@habitants.example.org')
    await tabTo((f) => f.name === 'consent', 'the consent checkbox')
    await page.keyboard.press('Space')
    await tabTo((f) => f.label === 'button:Réserver mon créneau', 'the submit button')
    await page.keyboard.press('Enter')
    await page.waitForURL((url) => TOKEN_PATH.test(url.pathname))
    expect(await page.locator('[data-status]').getAttribute('data-status')).toBe('pending') // until confirmed from the email
    await waitForMail(demo.server.smtp, { to: 'bernard.lemaire@habitants.example.org', kind: 'pitch.verify' })

    if (demo.journey.a11yFailures.length > a11yBefore) throw new Error(demo.journey.a11yFailures.slice(a11yBefore).join('\n\n'))
    // The 400 of the invalid submission (and Chromium's console line about it) is this test's point.
    const formUrl = `${base}/${SLUG}/sessions/${session.date}/pitch`
    const expected = [`400 for POST ${formUrl}`, `status of 400 (Bad Request) (${formUrl})`]
    expect(allConsoleProblems().slice(consoleBefore).filter((p) => !expected.some((e) => p.endsWith(e)))).toEqual([])
  })
})
