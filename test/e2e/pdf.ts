import { inflateSync } from 'node:zlib'

// A small reader of the PDFs Chromium prints (page.pdf()): Flate streams, Identity-H fonts with a ToUnicode
// map. Enough to find which text lands on which page (print.test.ts, minutes.test.ts).

export interface PdfLine { y: number; text: string }

/** Each page's text lines (runs on one baseline, left to right), top of the page first. */
export function pdfPages(pdf: Buffer): PdfLine[][] {
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

/** A text without its spaces (the PDF's runs split words unpredictably). */
export const compact = (s: string) => s.replace(/\s+/g, '')
