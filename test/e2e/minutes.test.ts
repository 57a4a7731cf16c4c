import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'
import { compact, pdfPages, type PdfLine } from './pdf.js'

// The minutes (#20): a facilitator opens the demo's most recent past session (its minutes already sent by
// seed:demo), rewrites the introduction, previews what partners and each holder receive, and sends the
// correction; the page then says to how many it went and lists both versions. Every page passes axe.
// Then a longer version, printed to A4 by Chromium: as many pages as it needs, and no pitch cut across two.

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.minutes@fabrik-lens-lievin.example.org', name: 'Camille Minutes', password: 'une phrase de passe assez longue', platform: SLUG }

/**
 * Where each pitch block of a printed minutes starts and ends: the page of its heading ("1. Title") and the
 * page of its last line (the line before the next heading, or the document's last line). The page numbers in
 * the margin are left out.
 */
function pitchPages(pages: PdfLine[][], headings: string[]) {
  const lines = pages.flatMap((lines, page) => lines.filter((l) => !/^Page \d+ \/ \d+$/.test(l.text.trim())).map((l) => ({ page, text: compact(l.text) })))
  const starts = headings.map((h) => {
    const at = lines.findIndex((l) => l.text.startsWith(compact(h).slice(0, 24)))
    if (at === -1) throw new Error(`heading not printed: ${h}`)
    return at
  })
  return starts.map((at, i) => ({ first: lines[at]!.page, last: lines[(starts[i + 1] ?? lines.length) - 1]!.page }))
}

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

  it('prints a long version on as many A4 pages as it needs, no pitch split across two', async () => {
    const base = demo.server.url
    const page = await demo.journey.freshPage(DESKTOP)
    await logIn(page, base, FACILITATOR)
    await page.goto(`${base}/admin/p/${SLUG}`)
    const hrefs = await page.locator(`a[href^="/admin/p/${SLUG}/sessions/2"]`).evaluateAll((links) => links.map((a) => a.getAttribute('href')!))
    const date = hrefs.map((h) => h.split('/').pop()!).filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d) && d < today()).sort().at(-1)
    const here = `${base}/admin/p/${SLUG}/sessions/${date!}`
    // Each pitch's text rewritten to some twenty lines: together, several pages.
    await page.goto(`${here}/minutes`)
    const texts = page.locator('textarea[name^="text_"]')
    const count = await texts.count()
    expect(count).toBeGreaterThanOrEqual(3)
    for (let i = 0; i < count; i++) {
      await texts.nth(i).fill(Array.from({ length: 22 }, (_, k) => `Point ${k + 1} de la présentation ${i + 1} : ce qui a été dit et retenu.`).join('\n'))
    }
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click()
    await page.getByText('Brouillon enregistré.').waitFor()
    const version = Number(await page.locator('form[action$="/minutes/send"] input[name="version"]').inputValue())
    await page.locator('button[data-send]').click()
    await page.waitForURL(`${here}/minutes?sent=${version}`)

    const res = await page.goto(`${here}/minutes/print?version=${version}`)
    expect(res?.status()).toBe(200)
    const headings = (await page.locator('section.minutes-pitch > h3').allTextContents()).map((h) => h.replace(/\s+/g, ' ').trim())
    expect(headings).toHaveLength(count)
    const pdf = await page.pdf({ format: 'A4' })
    const pages = pdfPages(pdf)
    expect(pages.length).toBe((pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length)
    expect(pages.length).toBeGreaterThan(1)
    pages.forEach((lines, n) => {
      // Every page holds some of the minutes (no blank page) and its number.
      expect(lines.filter((l) => !/^Page \d+ \/ \d+$/.test(l.text.trim())).length, `content on page ${n + 1}`).toBeGreaterThan(0)
      expect(lines.some((l) => compact(l.text) === compact(`Page ${n + 1} / ${pages.length}`)), `"Page ${n + 1} / ${pages.length}"`).toBe(true)
    })
    const all = pages.flat().map((l) => compact(l.text)).join('\n')
    for (let i = 1; i <= count; i++) expect(all, `presentation ${i}`).toContain(compact(`Point 22 de la présentation ${i}`))
    const blocks = pitchPages(pages, headings)
    for (const [i, b] of blocks.entries()) expect(b, `pitch ${i + 1} on one page`).toEqual({ first: b.first, last: b.first })

    // The same minutes where a pitch may break (the print CSS's rule taken away): a pitch is cut, which the
    // check above would refuse; keeping blocks whole costs at most one page per pitch.
    await page.locator('section.minutes-pitch').evaluateAll((sections) => { for (const s of sections) (s as unknown as { style: { breakInside: string } }).style.breakInside = 'auto' })
    const loose = pdfPages(await page.pdf({ format: 'A4' }))
    expect(pitchPages(loose, headings).some((b) => b.first !== b.last)).toBe(true)
    expect(pages.length).toBeGreaterThanOrEqual(loose.length)
    expect(pages.length).toBeLessThanOrEqual(loose.length + count)
    expect(demo.journey.consoleProblems()).toEqual([])
  })
})
