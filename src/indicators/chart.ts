import { escapeHtml } from '../web/views.js'

// A horizontal bar chart drawn on the server as SVG: no script, no external service, legible in black and
// white (bars are outlined and every value is written beside its bar), as wide as the page allows (no CSS:
// the attribute width="100%" and the viewBox scale it, so it reflows on a phone). The page puts the same figures in
// a table beside it; the SVG itself is hidden from screen readers, which read the table.

export interface Bar { label: string; value: number }

const ROW = 26
const LABEL = 220
const WIDTH = 560

export function barChart(title: string, bars: Bar[]): string {
  const max = Math.max(1, ...bars.map((b) => b.value))
  const scale = (WIDTH - LABEL - 60) / max
  const height = Math.max(ROW, bars.length * ROW) + 4
  const rows = bars.map((b, i) => {
    const y = i * ROW + 4
    const w = Math.round(b.value * scale)
    const label = b.label.length > 32 ? `${b.label.slice(0, 31)}…` : b.label
    return `<text x="${LABEL - 8}" y="${y + 15}" text-anchor="end">${escapeHtml(label)}</text>`
      + `<rect x="${LABEL}" y="${y}" width="${w}" height="${ROW - 8}" fill="#d9d9d9" stroke="#000"/>`
      + `<text x="${LABEL + w + 6}" y="${y + 15}">${b.value}</text>`
  }).join('')
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="100%" aria-hidden="true" focusable="false" font-size="13" font-family="sans-serif"><title>${escapeHtml(title)}</title>${rows}</svg>`
}

/** A small outlined gauge of a share of the target (capped at 100 %), beside the words that say it. */
export function gauge(percent: number): string {
  const w = Math.round(Math.min(100, Math.max(0, percent)))
  return `<svg class="gauge" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 102 12" width="102" height="12" aria-hidden="true" focusable="false"><rect x="1" y="1" width="100" height="10" fill="#fff" stroke="#000"/><rect x="1" y="1" width="${w}" height="10" fill="#555"/></svg>`
}
