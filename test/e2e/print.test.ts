import { describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/index.js'
import { insertInvitation, saveAnswer } from '../../src/partners/invitation-store.js'
import { insertContact, insertPartner } from '../../src/partners/store.js'
import { e2eSkipReason } from './browser.js'
import { DESKTOP, demoJourney, logIn } from './journeys.js'
import { compact, pdfPages } from './pdf.js'

// The sign-in sheet (#20) as Chromium prints it on A4: a session with some forty people expected spans several
// pages, each with the sheet's header and "Page i / n", and no row is cut across two pages. The PDF is read
// with the small reader of pdf.ts.

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.print@fabrik-lens-lievin.example.org', name: 'Camille Print', password: 'une phrase de passe assez longue', platform: SLUG }

describe.skipIf(e2eSkipReason() !== null)('the sign-in sheet on A4', () => {
  const demo = demoJourney(FACILITATOR)

  it('spans several pages with the header and page number on each, and no row split across pages', async () => {
    const base = demo.server.url
    // Forty-odd people expected on site at the next session: twelve organisations of three, besides the demo's.
    const db = createDatabase({ dataDir: demo.server.dataDir, databaseUrl: null })
    const names: string[] = []
    let date: string
    try {
      const platform = await db.selectFrom('platform').selectAll().where('slug', '=', SLUG).executeTakeFirstOrThrow()
      const today = new Date().toISOString().slice(0, 10)
      const session = await db.selectFrom('session').selectAll().where('platform_id', '=', platform.id).where('status', '=', 'published')
        .where('date', '>', today).orderBy('date').executeTakeFirstOrThrow()
      date = session.date
      const now = new Date().toISOString()
      for (let o = 1; o <= 12; o++) {
        const partner = await insertPartner(db, platform.id, { name: `Structure d'essai ${o}`, kind: 'association', themes: [], website: null, notes: null }, now)
        for (let c = 1; c <= 3; c++) {
          const name = `Lou Essai ${o}-${c}`
          names.push(name)
          const contact = await insertContact(db, partner, { name, email: `personne.${o}.${c}@essai-${o}.example.org`, phone: null, role: null, active: true }, now)
          const invitation = (await insertInvitation(db, demo.server.env.SESSION_SECRET!, { sessionId: session.id, contactId: contact }, now))!
          await saveAnswer(db, invitation.id, { answer: 'on_site', comment: null, delegateName: null, delegateEmail: null, delegateContactId: null }, now)
        }
      }
    } finally {
      await db.destroy()
    }

    const page = await demo.journey.freshPage(DESKTOP)
    await logIn(page, base, FACILITATOR)
    const res = await page.goto(`${base}/admin/p/${SLUG}/sessions/${date!}/emargement`)
    expect(res?.status()).toBe(200)
    const rows = await page.locator('tr[data-signer]').count()
    expect(rows).toBeGreaterThanOrEqual(40)
    const pdf = await page.pdf({ format: 'A4' })
    const pages = pdfPages(pdf)
    expect(pages.length).toBeGreaterThan(1)
    expect(pages.length).toBe((pdf.toString('latin1').match(/\/Type \/Page\b(?!s)/g) ?? []).length)

    const all = pages.flat().map((l) => compact(l.text)).join('\n')
    for (const name of names) expect(all.split(compact(name)).length - 1).toBe(1) // every row printed, once
    const offsets: number[] = []
    pages.forEach((lines, n) => {
      // The header on every page, and its number.
      const header = lines.find((l) => l.text.includes("Feuille d'émargement — séance du"))
      expect(header, `header on page ${n + 1}`).toBeDefined()
      expect(lines.some((l) => compact(l.text) === compact(`Page ${n + 1} / ${pages.length}`)), `"Page ${n + 1} / ${pages.length}"`).toBe(true)
      // Table rows start with their number (N°).
      const numbered = lines.filter((l) => l.y > header!.y && /^\d+\b/.test(l.text))
      expect(numbered.length, `rows on page ${n + 1}`).toBeGreaterThan(0)
      offsets.push(numbered[0]!.y - header!.y)
    })
    // A row split at a page's end would push the next page's first row down: the first row sits at the same
    // distance under the repeated header on every page.
    for (const o of offsets) expect(Math.abs(o - offsets[0]!)).toBeLessThan(1)
    // Numbers run on without a gap from one page to the next (no row lost or doubled).
    const numbers = pages.flat().filter((l) => /^\d+\b/.test(l.text) && !l.text.startsWith('Page')).map((l) => Number(/^\d+/.exec(l.text)![0]))
    expect(numbers).toEqual(numbers.map((_, i) => i + 1))
  })
})
