import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP } from './journeys.js'
import { linkIn, oneEventOf, textOf, waitForMail } from './mail.js'

// Journey 3: a partner opens the invitation link from the email on a phone and answers "à distance"; the
// facilitator then switches the session to visio, and the partner's update email carries the link, in its
// text and in the calendar update. Every page visited passes axe (WCAG 2.1 A/AA).

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.martin@fabrik-lens-lievin.example.org', name: 'Camille Martin', password: 'une phrase de passe assez longue', platform: SLUG }
/** A demo contact the seed invites to the next session and does not answer for. */
const PARTNER = { email: 'marc.petit@caf.example.org', name: 'Marc Petit', organisation: /CAF/ }
/** The demo platform's usual videoconference link (src/demo/seed.ts). */
const VISIO = 'https://visio.example.org/fabrik-lens-lievin'
const PHONE = { viewport: { width: 375, height: 812 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' }

interface PublicSession { date: string; start: string; end: string; status: string; mode: string }

describe.skipIf(e2eSkipReason() !== null)('journey 3: a partner answers from the invitation email, then the session goes to visio', () => {
  const demo = demoJourney(FACILITATOR)

  /** A fresh browser context (no cookies): another device, or a mail app opening a link. */
  const freshPage = (options: typeof PHONE) => demo.journey.freshPage(options)
  const audit = (page: Page, label: string, shot?: string) => demo.journey.audit(page, label, shot)

  it('answers "à distance" from the invitation link, and receives the visio link when the facilitator switches the session', async () => {
    const base = demo.server.url
    const smtp = demo.server.smtp

    // The invitation the seed queued; the server's mail worker delivers it shortly after.
    const invitation = await waitForMail(smtp, { to: PARTNER.email, kind: 'session.invitation' }, 20_000)
    expect(invitation.envelope.rcptTo.map((r) => r.address)).toEqual([PARTNER.email])
    expect(invitation.parsed.to && !Array.isArray(invitation.parsed.to) ? invitation.parsed.to.value.map((a) => a.address) : null).toEqual([PARTNER.email])
    const invited = oneEventOf(invitation, 'REQUEST').event
    expect(invited.attendees).toEqual([`mailto:${PARTNER.email}`])

    // Which session: the one the calendar event is for (sessions.json gives its date).
    const sessions = (await (await fetch(`${base}/${SLUG}/sessions.json`)).json()) as PublicSession[]
    const session = sessions.find((s) => Date.parse(s.start) === Date.parse(invited.start))
    if (!session) throw new Error(`no session in sessions.json starts at ${invited.start}`)
    expect(session.mode).not.toBe('videoconference')
    expect(textOf(invitation)).not.toContain(VISIO)

    // The partner opens the link on a phone (a new browser: no cookie), and answers "à distance".
    const rsvpLink = linkIn(invitation, /^\/rsvp\//)
    expect(new URL(rsvpLink).origin).toBe(base)
    const phone = await freshPage(PHONE)
    await phone.goto(rsvpLink)
    expect(await phone.locator('[data-answer]').getAttribute('data-answer')).toBe('none')
    expect(await phone.locator('.lead').textContent()).toContain(PARTNER.name)
    await audit(phone, 'RSVP page (no answer yet, phone)', 'partner-rsvp')
    await phone.getByRole('radio', { name: 'Je participe à distance' }).check()
    await phone.getByRole('button', { name: 'Envoyer ma réponse' }).click()
    await phone.locator('[data-answer="remote"]').waitFor()
    expect(phone.url()).toBe(rsvpLink)
    expect(await phone.getByRole('radio', { name: 'Je participe à distance' }).isChecked()).toBe(true)
    await audit(phone, 'RSVP page (answered remote, phone)', 'partner-rsvp-answered')

    // The facilitator logs in (another browser), opens the session and switches it to visio, link left empty.
    const desk = await freshPage(DESKTOP)
    const admin = `${base}/admin/p/${SLUG}`
    await desk.goto(`${base}/login`)
    await audit(desk, 'login')
    await desk.getByLabel('Adresse e-mail').fill(FACILITATOR.email)
    await desk.getByLabel('Mot de passe').fill(FACILITATOR.password)
    await desk.getByRole('button', { name: /connecter/i }).click()
    await desk.waitForURL(admin)
    await audit(desk, 'platform dashboard')
    await desk.goto(`${admin}/sessions/${session.date}`)
    await audit(desk, 'admin session page (before visio)', 'partner-admin-session')
    const sentBefore = smtp.messages.length
    const visioForm = desk.locator('form.visio')
    expect(await visioForm.getByLabel('Lien de visio').inputValue()).toBe('')
    await Promise.all([
      desk.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/sessions/${session.date}/visio`)),
      visioForm.getByRole('button', { name: 'Basculer en visio' }).click(),
    ])
    await desk.waitForURL(`${admin}/sessions/${session.date}`)
    await desk.waitForLoadState()
    expect(await desk.locator('main').textContent()).toContain('En visioconférence')
    await audit(desk, 'admin session page (visio)')

    // The partner's update: text and calendar carry the link; same event, higher SEQUENCE, still a REQUEST.
    const updated = await waitForMail(smtp, { to: PARTNER.email, kind: 'session.updated' }, 20_000)
    expect(smtp.messages.indexOf(updated)).toBeGreaterThanOrEqual(sentBefore)
    expect(updated.envelope.rcptTo.map((r) => r.address)).toEqual([PARTNER.email])
    expect(textOf(updated)).toContain(VISIO)
    const update = oneEventOf(updated, 'REQUEST')
    const event = update.event
    expect(event.uid).toBe(invited.uid)
    expect(event.sequence ?? 0).toBeGreaterThan(invited.sequence ?? 0)
    expect(event.attendees).toEqual([`mailto:${PARTNER.email}`])
    const carried = [event.location, event.url, event.conference, event.description].filter((v) => v?.includes(VISIO))
    expect(carried.length, `the visio link in LOCATION, URL, CONFERENCE or DESCRIPTION:\n${update.source}`).toBeGreaterThan(0)

    // The facilitator's per-session partners page: Marc Petit under "À distance", in his organisation's row.
    await desk.goto(`${admin}/sessions/${session.date}/partners`)
    const table = desk.locator('table.attendance')
    const columns = (await table.locator('thead th').allTextContents()).map((t) => t.trim())
    const remoteColumn = columns.indexOf('À distance')
    expect(remoteColumn).toBeGreaterThan(0)
    const row = table.locator('tbody tr').filter({ has: desk.getByRole('rowheader', { name: PARTNER.organisation }) })
    expect(await row.count()).toBe(1)
    expect(await row.locator('th, td').nth(remoteColumn).textContent()).toContain(PARTNER.name)
    for (const [i, name] of columns.entries()) {
      if (i !== 0 && i !== remoteColumn) expect(await row.locator('th, td').nth(i).textContent(), name).not.toContain(PARTNER.name)
    }
    await audit(desk, 'admin session partners page', 'partner-admin-partners')

    // Back on the phone, the same link shows the visio link and the answer kept.
    await phone.goto(rsvpLink)
    expect(await phone.locator('[data-answer]').getAttribute('data-answer')).toBe('remote')
    expect(await phone.locator('dl.facts').textContent()).toContain(VISIO)
    await audit(phone, 'RSVP page (session in visio, phone)', 'partner-rsvp-visio')

    if (demo.journey.a11yFailures.length) throw new Error(demo.journey.a11yFailures.join('\n\n'))
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
