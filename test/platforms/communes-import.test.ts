import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { communeErrorLines, parseCommunes } from '../../src/platforms/communes-import.js'
import { projectRoot } from '../../src/web/views.js'

const data = (file: string) => readFileSync(join(projectRoot(), 'src', 'demo', 'data', file))

describe('parseCommunes', () => {
  it('reads the two verified lists (copies of ../shared/data kept in src/demo/data) without an error', () => {
    const lux = parseCommunes(data('luxembourg-be-communes.csv'), 'BE')
    expect(lux.errors).toEqual([])
    expect(lux.rows).toHaveLength(43)
    expect(lux.rows[0]).toEqual({ line: 2, name: 'Arlon', postcode: '6700', code: '81001' })
    expect(lux.rows.find((r) => r.name === 'Bastogne')).toMatchObject({ postcode: '6600', code: '82039' })
    const lens = parseCommunes(data('lens-lievin-communes.csv'), 'FR')
    expect(lens.errors).toEqual([])
    expect(lens.rows).toHaveLength(36)
    expect(lens.rows.find((r) => r.name === 'Éleu-dit-Leauwette')).toMatchObject({ postcode: '62300' })
  })

  it('takes a plain list of names, one per line, and titles in any order, case or accent', () => {
    expect(parseCommunes('Arlon\nAttert\n\nAubange\n', 'BE').rows.map((r) => [r.line, r.name, r.postcode])).toEqual([[1, 'Arlon', null], [2, 'Attert', null], [4, 'Aubange', null]])
    const titled = parseCommunes('Code INS,Commune,CP\n81001,Arlon,6700\n"81003","Attert","6717"\n', 'BE')
    expect(titled.errors).toEqual([])
    expect(titled.rows.map((r) => [r.name, r.postcode, r.code])).toEqual([['Arlon', '6700', '81001'], ['Attert', '6717', '81003']])
    expect(parseCommunes('Lens\t62300\t62498\n', 'FR').rows[0]).toMatchObject({ name: 'Lens', postcode: '62300', code: '62498' })
  })

  it('names every wrong line: missing name, postcode and code by country, duplicates by folded name and by code', () => {
    const parsed = parseCommunes('nom;code postal;insee\nLens;62300;62498\nLiévin;6280;62510\nHarnes;62440;x\n;62300;62001\nlens;62300;62499\nAvion;62210;62498\n', 'FR')
    expect(communeErrorLines(parsed.errors)).toEqual([
      'ligne 3 : Code postal invalide : « 6280 » (5 chiffres en France — un zéro initial perdu par le tableur ?).',
      'ligne 4 : Code officiel invalide : « x » (code INSEE : 5 caractères, par exemple 62498 ou 2A004).',
      'ligne 5 : Nom de commune manquant.',
      'ligne 6 : « lens » figure déjà ligne 2.',
      'ligne 7 : Le code 62498 figure déjà ligne 2.',
    ])
    expect(parsed.rows.map((r) => r.name)).toEqual(['Lens'])
    expect(parseCommunes('Lens\nlens\n', 'FR').errors).toEqual([{ line: 2, message: '« lens » figure déjà ligne 1.' }])
    expect(parseCommunes('Arlon;67000\n', 'BE').errors[0]!.message).toContain('4 chiffres en Belgique')
    expect(parseCommunes('Ajaccio;20000;2A004\n', 'FR').errors).toEqual([])
  })

  it('refuses control characters and an unclosed quote, and decodes Windows-1252', () => {
    expect(parseCommunes('Le\u202Ens\n', 'FR').errors[0]!.message).toContain('caractères non autorisés')
    expect(parseCommunes('nom;cp\n"Lens;62300\n', 'FR').errors[0]!.message).toContain('guillemet')
    const latin1 = Buffer.from([0x4c, 0x69, 0xe9, 0x76, 0x69, 0x6e, 0x3b, 0x36, 0x32, 0x38, 0x30, 0x30, 0x0a]) // "Liévin;62800"
    expect(parseCommunes(latin1, 'FR').rows[0]).toMatchObject({ name: 'Liévin', postcode: '62800' })
  })

  it('is empty for an empty text', () => {
    expect(parseCommunes('  \n', 'FR')).toEqual({ rows: [], errors: [] })
  })
})
