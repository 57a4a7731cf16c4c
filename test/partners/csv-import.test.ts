import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { decodeCsv, detectDelimiter, MAX_IMPORT_ROWS, parseContactsCsv } from '../../src/partners/csv-import.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name))
const csv = (text: string) => parseContactsCsv(Buffer.from(text, 'utf8'))

describe('reading the contact list a facilitator keeps', () => {
  it('reads UTF-8 with BOM, `;`, CRLF, quoted cells and French headers', () => {
    const { rows, errors } = parseContactsCsv(fixture('contacts-utf8.csv'))
    expect(errors).toEqual([])
    expect(rows).toHaveLength(4)
    expect(rows[0]).toEqual({ line: 2, organisation: 'CAF du Pas-de-Calais', name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org', phone: '03 21 00 00 01', role: 'Conseillère' })
    expect(rows[1]).toMatchObject({ line: 3, phone: null, role: 'Chargé de mission' })
    expect(rows[2]!.organisation).toBe('Département du Pas-de-Calais – Action sociale')
    expect(rows[3]).toMatchObject({ line: 5, organisation: 'Centre social "Les Glycines"', role: 'Directeur ; animation' })
  })

  it('reads Windows-1252 as Excel writes it, `,` separated, with accents, Œ and guillemets', () => {
    const bytes = fixture('contacts-1252.csv')
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow()
    const { rows, errors } = parseContactsCsv(bytes)
    expect(errors).toEqual([])
    expect(rows.map((r) => [r.organisation, r.name, r.email, r.role])).toEqual([
      ['Fédération des centres sociaux', 'Hélène Dupré', 'helene.dupre@centres-sociaux.example.org', 'Déléguée'],
      ['Fondation de France', 'Œdipe Müller', 'oedipe.muller@fdf.example.org', 'Chargée de mission « territoires », Nord'],
    ])
  })

  it('reports every bad line with its number and a French message, and keeps the good ones apart', () => {
    const { rows, errors } = parseContactsCsv(fixture('contacts-errors.csv'))
    expect(rows.map((r) => r.line)).toEqual([2, 5])
    expect(errors).toEqual([
      { line: 3, message: 'Adresse e-mail invalide : « marc.petit@caf ».' },
      { line: 4, message: 'Organisation manquante.' },
    ])
  })

  it('accepts header names in any case, with or without accents, and other usual names', () => {
    const { rows, errors } = csv('STRUCTURE\tPrénom\tNOM\tE-mail\tTel\tRÔLE\tRemarque\nCCAS de Lens\tJeanne\tDurand\tjeanne@ccas.example.org\t\tDirectrice\tà revoir\n')
    expect(errors).toEqual([])
    expect(rows).toEqual([{ line: 2, organisation: 'CCAS de Lens', name: 'Jeanne Durand', email: 'jeanne@ccas.example.org', phone: null, role: 'Directrice' }])
  })

  it('says which columns are missing', () => {
    const { rows, errors } = csv('Organisation;Nom\nCAF;Hélène\n')
    expect(rows).toEqual([])
    expect(errors).toHaveLength(1)
    expect(errors[0]!.line).toBe(1)
    expect(errors[0]!.message).toContain('« courriel »')
  })

  it('checks emails strictly, lengths, phone numbers and control characters', () => {
    const long = 'x'.repeat(151)
    const { rows, errors } = csv([
      'organisation;nom;courriel;téléphone',
      'CAF;Hélène;helene@caf.example.org, autre@caf.example.org;',
      `CAF;${long};ok@caf.example.org;`,
      'CAF;Paul\u0007;paul@caf.example.org;',
      'CAF;Zoé;zoe@caf.example.org;appelez-moi',
      'CAF;Noé;"noe@caf.example.org\nBcc: x@evil.example";',
      'CAF;;;',
      'CAF;Ana;ana@caf.example.org;+33 (0)3 21 00 00 00',
    ].join('\n'))
    expect(rows.map((r) => r.name)).toEqual(['Ana'])
    expect(errors).toEqual([
      { line: 2, message: 'Adresse e-mail invalide : « helene@caf.example.org, autre@caf.example.org ».' },
      { line: 3, message: 'Nom : 150 caractères au plus.' },
      { line: 4, message: 'Nom : caractères non autorisés (retour à la ligne, caractère de contrôle…).' },
      { line: 5, message: 'Numéro de téléphone invalide : « appelez-moi ».' },
      { line: 6, message: 'Adresse e-mail : caractères non autorisés (retour à la ligne, caractère de contrôle…).' },
      { line: 8, message: 'Nom manquant.' },
      { line: 8, message: 'Adresse e-mail manquante.' },
    ])
  })

  it('flags the same person twice in one organisation, skips blank lines, numbers lines as the file does', () => {
    const { rows, errors } = csv('organisation;nom;email\n\nCAF;A;a@caf.example.org\n;;\ncaf;A bis;A@CAF.example.org\nCCAS;A;a@caf.example.org\n')
    expect(rows.map((r) => [r.line, r.organisation])).toEqual([[3, 'CAF'], [6, 'CCAS']])
    expect(errors).toEqual([{ line: 5, message: 'Ce contact figure déjà ligne 3 pour la même organisation.' }])
  })

  it('reports an unclosed quote and an empty file', () => {
    expect(csv('organisation;nom;email\nCAF;"Hélène;h@caf.example.org\n').errors[0]!.message).toContain('guillemet')
    expect(csv('  \n').errors).toEqual([{ line: 1, message: 'Le fichier est vide.' }])
    expect(parseContactsCsv(Buffer.alloc(0)).errors).toEqual([{ line: 1, message: 'Le fichier est vide.' }])
  })

  it('refuses files beyond the limit instead of importing half', () => {
    const lines = ['organisation;nom;email']
    for (let i = 0; i <= MAX_IMPORT_ROWS; i++) lines.push(`CAF;P${i};p${i}@caf.example.org`)
    const { rows, errors } = csv(lines.join('\n'))
    expect(rows).toHaveLength(MAX_IMPORT_ROWS)
    expect(errors[0]!.message).toContain('découpez-le')
  })

  it('detects the separator from the header line and decodes both encodings', () => {
    expect(detectDelimiter('a;b;c\n1,2,3,4,5')).toBe(';')
    expect(detectDelimiter('"a;b",c,d\n')).toBe(',')
    expect(detectDelimiter('a\tb\tc')).toBe('\t')
    expect(decodeCsv(Buffer.from('\uFEFFHélène', 'utf8'))).toBe('Hélène')
    expect(decodeCsv(iconv.encode('Hélène € Œ', 'win1252'))).toBe('Hélène € Œ')
  })
})
