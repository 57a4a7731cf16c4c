import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_IMPORT_ROWS } from '../../src/partners/csv-import.js'
import { PREVIEW_LIFETIME_MS } from '../../src/partners/import-preview.js'
import { buildTestApp, type Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'
import { multipart, type Part } from '../helpers/multipart.js'

// The CSV import of contacts: choose or paste → preview → confirm. Multipart bodies are read here alone, once
// the login and the platform are known, within limits; the confirmation carries the sealed rows of the preview.

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name))
const IMPORT = '/admin/p/test/partners/import'



/** The sealed rows the preview page hands its confirm form. */
function sealed(html: string): string {
  const m = /name="preview" value="([^"]*)"/.exec(html)
  if (!m) throw new Error('no confirm form on this page')
  return m[1]!
}

/** A CSV of `n` contacts across 40 organisations, as French Excel saves it. */
function bigCsv(n: number): Buffer {
  const lines = ['Organisation;Prénom;Nom;Courriel;Téléphone;Fonction']
  for (let i = 1; i <= n; i++) lines.push(`Structure ${i % 40};Prénom${i};Nom ${i};contact${i}@structure${i % 40}.example.org;03 21 00 ${String(i % 100).padStart(2, '0')} 00;Chargée de mission`)
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8')
}

describe('the CSV import of contacts', () => {
  let t: TestApp
  let c: Client
  beforeEach(async () => {
    t = await buildTestApp()
    const p = await createPlatform(t.db)
    c = await facilitatorClient(t.app, t.db, [p.id])
  })
  afterEach(() => t.close())

  const partners = () => t.db.selectFrom('partner').selectAll().orderBy('id').execute()
  const contacts = () => t.db.selectFrom('contact').selectAll().orderBy('id').execute()
  const send = (fields: Record<string, Part>, boundary?: string) => {
    const { body, type } = multipart(fields, boundary)
    return c.request('POST', IMPORT, undefined, { 'content-type': type }, body)
  }
  const confirm = (preview: string, html: string, extra: Record<string, string> = {}) =>
    send({ _csrf: csrfToken(html), step: 'confirm', preview, ...extra })

  it('previews a good UTF-8 file, imports it on confirmation, and a second import adds nothing', async () => {
    const preview = await c.submit(IMPORT, { csv: fixture('contacts-utf8.csv').toString('utf8') })
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('<strong>4</strong> contact(s) prêt(s) à importer')
    expect(preview.body).toContain('Centre social &quot;Les Glycines&quot;')
    expect(preview.body).toContain('enctype="multipart/form-data"')
    expect(await contacts()).toHaveLength(0)

    const done = await confirm(sealed(preview.body), preview.body)
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe('/admin/p/test/partners?imported=4&known=0&orgs=3')
    expect((await partners()).map((p) => p.name)).toEqual(['CAF du Pas-de-Calais', 'Département du Pas-de-Calais – Action sociale', 'Centre social "Les Glycines"'])
    expect((await contacts()).map((x) => [x.name, x.email, x.phone, x.role, x.active])).toEqual([
      ['Hélène Dupré', 'helene.dupre@caf.example.org', '03 21 00 00 01', 'Conseillère', 1],
      ['Marc Petit', 'marc.petit@caf.example.org', null, 'Chargé de mission', 1],
      ['Léa Martin', 'lea.martin@pasdecalais.example.org', '06 12 34 56 78', 'Travailleuse sociale', 1],
      ['Karim Benali', 'karim.benali@centres-sociaux.example.org', null, 'Directeur ; animation', 1],
    ])
    expect((await c.get(String(done.headers.location))).body).toContain('Import terminé : 4 contact(s) ajouté(s), 3 organisation(s) créée(s)')

    const again = await c.submit(IMPORT, { csv: fixture('contacts-utf8.csv').toString('utf8') })
    expect((await confirm(sealed(again.body), again.body)).headers.location).toBe('/admin/p/test/partners?imported=0&known=4&orgs=0')
    expect(await contacts()).toHaveLength(4)
    expect(await partners()).toHaveLength(3)
  })

  it('imports a Windows-1252 file with its accents intact, pasted as base64 or uploaded as a browser does', async () => {
    const pasted = await c.submit(IMPORT, { csv_base64: fixture('contacts-1252.csv').toString('base64') })
    expect(pasted.statusCode).toBe(200)
    expect(pasted.body).toContain('Œdipe Müller')
    const page = await c.get(IMPORT)
    const uploaded = await send({ _csrf: csrfToken(page.body), step: 'preview', csv: '', csv_file: { filename: 'contacts.csv', content: fixture('contacts-1252.csv') } })
    expect(uploaded.statusCode).toBe(200)
    expect(uploaded.body).toContain('Fédération des centres sociaux')
    expect(await contacts()).toHaveLength(0)
    expect((await confirm(sealed(uploaded.body), uploaded.body)).statusCode).toBe(303)
    expect((await partners()).map((p) => p.name)).toEqual(['Fédération des centres sociaux', 'Fondation de France'])
    expect((await contacts()).map((x) => [x.name, x.role])).toEqual([
      ['Hélène Dupré', 'Déléguée'],
      ['Œdipe Müller', 'Chargée de mission « territoires », Nord'],
    ])
  })

  it(`imports the advertised maximum: a file of ${MAX_IMPORT_ROWS} contacts (far over the 64 KB of a plain form)`, async () => {
    const file = bigCsv(MAX_IMPORT_ROWS)
    expect(file.length).toBeGreaterThan(64 * 1024)
    const page = await c.get(IMPORT)
    expect(page.body).toContain(`Jusqu'à ${MAX_IMPORT_ROWS} contacts à la fois, dans un fichier de 2 Mo au plus.`)
    const preview = await send({ _csrf: csrfToken(page.body), step: 'preview', csv: '', csv_file: { filename: 'annuaire.csv', content: file } })
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain(`<strong>${MAX_IMPORT_ROWS}</strong> contact(s) prêt(s) à importer`)
    const done = await confirm(sealed(preview.body), preview.body)
    expect(done.statusCode).toBe(303)
    expect(done.headers.location).toBe(`/admin/p/test/partners?imported=${MAX_IMPORT_ROWS}&known=0&orgs=40`)
    expect(await contacts()).toHaveLength(MAX_IMPORT_ROWS)
  })

  it('imports nothing from a file with errors unless asked to skip those lines', async () => {
    const preview = await c.submit(IMPORT, { csv: fixture('contacts-errors.csv').toString('utf8') })
    expect(preview.statusCode).toBe(200)
    expect(preview.body).toContain('Ligne 3 : Adresse e-mail invalide : « marc.petit@caf ».')
    expect(preview.body).toContain('Ligne 4 : Organisation manquante.')
    expect(preview.body).toContain('<strong>2</strong> ligne(s) en erreur')

    const refused = await confirm(sealed(preview.body), preview.body)
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('Le fichier contient des erreurs')
    expect(refused.body).toContain('Ligne 3 : Adresse e-mail invalide')
    expect(await contacts()).toHaveLength(0)

    const skipped = await confirm(sealed(refused.body), refused.body, { skip_errors: 'yes' })
    expect(skipped.statusCode).toBe(303)
    expect((await contacts()).map((x) => x.email)).toEqual(['helene.dupre@caf.example.org', 'paul.durand@missionlocale.example.org'])
  })

  it('asks for content, and explains a file without the expected columns', async () => {
    const empty = await c.submit(IMPORT, { csv: '' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('Choisissez votre fichier, ou collez son contenu')
    const noHeader = await c.submit(IMPORT, { csv: 'CAF;Hélène;helene@caf.example.org\n' })
    expect(noHeader.statusCode).toBe(400)
    expect(noHeader.body).toContain('introuvable')
    expect(await contacts()).toHaveLength(0)
  })

  it('confirms only its own, unaltered, recent preview', async () => {
    const preview = await c.submit(IMPORT, { csv: fixture('contacts-utf8.csv').toString('utf8') })
    const seal = sealed(preview.body)
    const [payload, signature] = seal.split('.') as [string, string]
    const flipped = `${payload.slice(0, -2)}${payload.endsWith('A') ? 'B' : 'A'}${payload.slice(-1)}.${signature}`
    for (const bad of ['', 'x', flipped, `${payload}.${signature}.x`, `${payload}.${'A'.repeat(43)}`]) {
      const res = await confirm(bad, preview.body)
      expect(res.statusCode, bad).toBe(400)
      expect(res.body).toContain('Cet aperçu a expiré ou ne vient pas de cette page')
    }
    // Another facilitator's preview of the same file, on the same platform, is not theirs to confirm.
    const other = await facilitatorClient(t.app, t.db, [(await t.db.selectFrom('platform').select('id').executeTakeFirstOrThrow()).id], 'dominique@test.example.org')
    const page = await other.get(IMPORT)
    const { body, type } = multipart({ _csrf: csrfToken(page.body), step: 'confirm', preview: seal })
    expect((await other.request('POST', IMPORT, undefined, { 'content-type': type }, body)).statusCode).toBe(400)
    t.clock.advance(PREVIEW_LIFETIME_MS + 1000)
    expect((await confirm(seal, preview.body)).statusCode).toBe(400)
    expect(await contacts()).toHaveLength(0)
  })

  it('answers a multipart body without boundary with the form and a French 400', async () => {
    const noBoundary = await c.request('POST', IMPORT, undefined, { 'content-type': 'multipart/form-data' }, Buffer.from('--x\r\nContent-Disposition: form-data; name="csv"\r\n\r\na\r\n--x--\r\n'))
    expect(noBoundary.statusCode).toBe(400)
    expect(noBoundary.headers['content-type']).toContain('text/html')
    expect(noBoundary.body).toContain('pas pu être reçu en entier. Choisissez-le à nouveau')
    expect(noBoundary.body).toContain('name="csv_file"')
    expect(await contacts()).toHaveLength(0)
  })

  it('refuses a file, a pasted text or a body over its limit with a French 413', async () => {
    const page = await c.get(IMPORT)
    const token = csrfToken(page.body)
    const bigFile = await send({ _csrf: token, step: 'preview', csv_file: { filename: 'x.csv', content: Buffer.alloc(2 * 1024 * 1024 + 1, 'a') } })
    expect(bigFile.statusCode).toBe(413)
    expect(bigFile.body).toContain('Le fichier est trop volumineux : 2 Mo et 1000 contacts au plus')
    const bigField = await send({ _csrf: token, step: 'preview', csv: 'a'.repeat(1024 * 1024 + 1) })
    expect(bigField.statusCode).toBe(413)
    const fields: Record<string, string> = { _csrf: token }
    for (let i = 0; i < 20; i++) fields[`f${i}`] = 'x'
    expect((await send(fields)).statusCode).toBe(413)
    const announced = await c.request('POST', IMPORT, undefined, { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(4 * 1024 * 1024) }, Buffer.alloc(0))
    expect(announced.statusCode).toBe(413)
    expect(await contacts()).toHaveLength(0)
  })

  it('reads no body before the login and the platform are known', async () => {
    const { body, type } = multipart({ step: 'preview', csv_file: { filename: 'x.csv', content: Buffer.alloc(21 * 1024 * 1024, 'a') } })
    const anonymous = await t.app.inject({ method: 'POST', url: IMPORT, payload: body, headers: { 'content-type': type } })
    expect(anonymous.statusCode).toBe(401)
    // A platform this facilitator does not manage looks like it does not exist, body unread.
    await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
    const foreign = await c.request('POST', '/admin/p/autre/partners/import', undefined, { 'content-type': type }, body)
    expect(foreign.statusCode).toBe(404)
  })
})
