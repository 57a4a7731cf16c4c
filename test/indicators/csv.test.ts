import { describe, expect, it } from 'vitest'
import { csvCell, toCsv } from '../../src/indicators/csv.js'
import { progressOf } from '../../src/indicators/progress.js'

describe('CSV for Excel in France', () => {
  it('starts with a BOM, separates with ; and ends lines with CRLF, accents in UTF-8', () => {
    const bytes = toCsv([['libellé', 'réalisé'], ['Séances tenues', 12.5]])
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect(bytes.subarray(3).toString('utf8')).toBe('libellé;réalisé\r\nSéances tenues;12,5\r\n')
  })

  it('neutralises cells a spreadsheet would run as a formula, keeps negative numbers numbers', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`)
    expect(csvCell('+33 1 23')).toBe("'+33 1 23")
    expect(csvCell('-2+3')).toBe("'-2+3")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\t=1')).toBe("'\t=1")
    expect(csvCell(-3)).toBe('-3')
    expect(csvCell('-3')).toBe('-3')
    expect(csvCell('Réseau ; Entreprendre')).toBe('"Réseau ; Entreprendre"')
    expect(csvCell('deux\nlignes')).toBe('"deux\nlignes"')
    expect(csvCell(null)).toBe('')
  })
})

describe('progress towards a target, in words', () => {
  it('says what is missing, reached or exceeded', () => {
    expect(progressOf(9, 12)).toEqual({ target: 12, achieved: 9, difference: -3, percent: 75, reached: false, words: "75 % de l'objectif : il manque 3." })
    expect(progressOf(12, 12)?.words).toBe('Objectif atteint.')
    expect(progressOf(13, 12)?.words).toBe('Objectif dépassé de 1 (108 %).')
    expect(progressOf(0, 0)).toMatchObject({ reached: true, percent: 100, words: 'Objectif atteint.' })
    expect(progressOf(5, undefined)).toBeNull()
    expect(progressOf(1500, 3000)?.words).toBe("50 % de l'objectif : il manque 1\u202f500.")
  })
})

describe('charts drawn on the server', () => {
  it('escape the labels they draw and scale to the largest value', async () => {
    const { barChart, gauge } = await import('../../src/indicators/chart.js')
    const svg = barChart('Séances <par> commune', [{ label: '<script>alert(1)</script>', value: 2 }, { label: 'Liévin', value: 1 }])
    expect(svg).not.toContain('<script>')
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(svg).toContain('<title>Séances &lt;par&gt; commune</title>')
    expect(svg).toContain('aria-hidden="true"')
    expect(gauge(150)).toContain('width="100" height="10" fill="#555"')
  })
})
