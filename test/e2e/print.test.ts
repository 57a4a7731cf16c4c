import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { createDatabase } from '../../src/db/index.js'
import { insertInvitation, saveAnswer } from '../../src/partners/invitation-store.js'
import { insertContact, insertPartner } from '../../src/partners/store.js'
import { e2eSkipReason } from './browser.js'
import { DESKTOP, demoJourney, logIn } from './journeys.js'

// The sign-in sheet (#20) as Chromium prints it on A4: a session with some forty people expected spans several
// pages, each with the sheet's header and "Page i / n", and no row is cut across two pages. The PDF is read
// with the small reader below (Chromium's PDFs: Flate streams, Identity-H fonts with a ToUnicode map).

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.print@fabrik-lens-lievin.example.org', name: 'Camille Print', password: 'une phrase de passe assez longue', platform: SLUG }

interface PdfLine { y: number; text: string }

/** Each page's text lines (runs on one baseline, left to right), top of the page first. */
function pdfPages(pdf: Buffer): PdfLine[][] {
  const src = pdf.toString('latin1')
  const objects = new Map<number, { dict: string; stream: Buffer | null }>()
  const head = /(\d+) 0 obj\s*/g
  for (let m = head.exec(src); m; m = head.exec(src)) {
    const start = m.index + m[0].length
    const end = src.indexOf('endobj', start)
    const streamAt = src.indexOf('stream', start)
    if (streamAt !== -1 && streamAt < end && src.slice(start, streamAt).trimEnd().endsWith('>>')) {
      const dict = src.slice(start, streamAt)
      const length = Number(/\/Length (\d+)/.exec(dict)![1])
      const from = streamAt + 6 + (src[streamAt + 6] === '\r' ? 2 : 1)
      const raw = pdf.subarray(from, from + length)
      objects.set(Number(m[1]), { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : raw })
      head.lastIndex = src.indexOf('endobj', from + length)
    } else {
      objects.set(Number(m[1]), { dict: src.slice(start, end), stream: null })
      head.lastIndex = end
    }
  }
  const ref = (dict: string, key: string) => Number(new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1])
  const root = [...objects.values()].find((o) => /\/Type \/Pages\b/.test(o.dict) && !/\/Parent /.test(o.dict))!
  const kids = (dict: string): number[] => [...(/\/Kids \[([^\]]*)\]/.exec(dict)?.[1] ?? '').matchAll(/(\d+) 0 R/g)].flatMap((k) => {
    const o = objects.get(Number(k[1]))!
    return /\/Type \/Pages\b/.test(o.dict) ? kids(o.dict) : [Number(k[1])]
  })
  const cmaps = new Map<number, Map<string, string>>()
  const cmap = (fontId: number) => {
    if (cmaps.has(fontId)) return cmaps.get(fontId)!
    const map = new Map<string, string>()
    const text = objects.get(ref(objects.get(fontId)!.dict, 'ToUnicode'))?.stream?.toString('latin1') ?? ''
    const utf16 = (hex: string) => String.fromCharCode(...(hex.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)))
    for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const p of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) map.set(p[1]!.toUpperCase(), utf16(p[2]!))
    }
    for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const p of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>/g)) {
        const [a, b, d] = [parseInt(p[1]!, 16), parseInt(p[2]!, 16), parseInt(p[3]!, 16)]
        for (let c = a; c <= b; c++) map.set(c.toString(16).toUpperCase().padStart(4, '0'), String.fromCharCode(d + c - a))
      }
    }
    cmaps.set(fontId, map)
    return map
  }
  return kids(root.dict).map((pageId) => {
    const page = objects.get(pageId)!.dict
    const fonts = new Map([...(/\/Font <<([^>]*)>>/.exec(page)?.[1] ?? '').matchAll(/\/(\w+) (\d+) 0 R/g)].map((f) => [f[1]!, Number(f[2])]))
    const content = objects.get(ref(page, 'Contents'))!.stream!.toString('latin1')
    const runs: Array<{ x: number; y: number; text: string }> = []
    for (const bt of content.matchAll(/BT([\s\S]*?)ET/g)) {
      const font = fonts.get(/\/(\w+) [\d.]+ Tf/.exec(bt[1]!)?.[1] ?? '')
      const tm = /([-\d.]+) ([-\d.]+) Tm/.exec(bt[1]!)
      if (font === undefined || !tm) continue
      const map = cmap(font)
      const text = [...bt[1]!.matchAll(/<([0-9A-Fa-f]*)>/g)].map((h) => (h[1]!.match(/.{4}/g) ?? []).map((g) => map.get(g.toUpperCase()) ?? '').join('')).join('')
      runs.push({ x: Number(tm[1]), y: Number(tm[2]), text })
    }
    const lines = new Map<string, Array<{ x: number; text: string }>>()
    for (const r of runs) lines.set(r.y.toFixed(1), [...(lines.get(r.y.toFixed(1)) ?? []), r])
    return [...lines].map(([y, rs]) => ({ y: Number(y), text: rs.sort((a, b) => a.x - b.x).map((r) => r.text).join(' ').replace(/\s+/g, ' ').trim() }))
      .sort((a, b) => a.y - b.y)
  })
}

const compact = (s: string) => s.replace(/\s+/g, '')

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
