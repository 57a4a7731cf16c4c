import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedPartners } from '../../src/partners/store.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { inviteAll, linksByEmail, PARTNERS, SESSION_PAGE, world } from './helpers.js'

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name))
const IMPORT = '/admin/p/test/partners/import'

describe('the partner directory', () => {
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
  const org = { name: 'Fondation de France', kind: 'foundation', themes: ['financement', 'jeunesse'], other_themes: 'Santé, mobilité', website: 'https://fdf.example.org', notes: 'Appel à projets au printemps.' }

  it('adds an organisation with kind and themes, refuses a duplicate name, and edits it', async () => {
    const res = await c.submit('/admin/p/test/partners', org)
    expect(res.statusCode).toBe(303)
    const [p] = await partners()
    expect(res.headers.location).toBe(`/admin/p/test/partners/${p!.id}?saved=1`)
    expect(p).toMatchObject({ name: 'Fondation de France', kind: 'foundation', themes: 'financement,jeunesse,santé,mobilité', website: 'https://fdf.example.org' })
    const page = await c.get(`/admin/p/test/partners/${p!.id}`)
    expect(page.body).toContain('Fondation')
    expect(page.body).toContain('value="santé, mobilité"')

    const dup = await c.submit('/admin/p/test/partners', { ...org, name: 'FONDATION DE FRANCE', website: 'http://pas-https.example.org' })
    expect(dup.statusCode).toBe(400)
    expect(dup.body).toContain('Adresse invalide : elle doit commencer par https://')
    const dup2 = await c.submit('/admin/p/test/partners', { ...org, name: 'fondation de france' })
    expect(dup2.statusCode).toBe(400)
    expect(dup2.body).toContain('déjà dans l’annuaire')
    expect(await partners()).toHaveLength(1)

    const edit = await c.submit(`/admin/p/test/partners/${p!.id}`, { ...org, kind: 'association', themes: 'culture', other_themes: '' })
    expect(edit.statusCode).toBe(303)
    expect((await partners())[0]).toMatchObject({ kind: 'association', themes: 'culture' })
    const bad = await c.submit(`/admin/p/test/partners/${p!.id}`, { ...org, name: '', kind: 'secte' })
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Ce champ est obligatoire.')
    expect(bad.body).toContain("Choisissez le type d&#39;organisation.")
  })

  it('adds, edits, deactivates and reactivates contacts, one address per organisation', async () => {
    await c.submit('/admin/p/test/partners', org)
    const id = (await partners())[0]!.id
    const page = `/admin/p/test/partners/${id}`
    const add = await c.submit(page, { name: 'Hélène Dupré', email: 'helene@fdf.example.org', phone: '03 21 00 00 01', role: 'Chargée de mission', active: 'yes' }, `${page}/contacts`)
    expect(add.statusCode).toBe(303)
    const dup = await c.submit(page, { name: 'Autre', email: 'HELENE@fdf.example.org', phone: '', role: '', active: 'yes' }, `${page}/contacts`)
    expect(dup.statusCode).toBe(400)
    expect(dup.body).toContain('déjà celle d’un contact')
    const bad = await c.submit(page, { name: 'X', email: 'x@fdf.example.org\r\nBcc: evil@example.org', phone: 'abc', role: '', active: 'yes' }, `${page}/contacts`)
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Adresse e-mail invalide.')
    expect(bad.body).toContain('Numéro de téléphone invalide.')

    const [helene] = await contacts()
    expect(helene).toMatchObject({ name: 'Hélène Dupré', email_key: 'helene@fdf.example.org', active: 1 })
    const form = await c.get(`${page}?contact=${helene!.id}`)
    expect(form.body).toContain('Modifier le contact Hélène Dupré')
    expect((await c.submit(`${page}?contact=${helene!.id}`, { name: 'Hélène Dupré-Martin', email: 'helene@fdf.example.org', phone: '', role: 'Directrice', active: 'yes' }, `${page}/contacts/${helene!.id}`)).statusCode).toBe(303)
    expect((await contacts())[0]).toMatchObject({ name: 'Hélène Dupré-Martin', role: 'Directrice', phone: null })
    await c.submit(page, { action: 'deactivate' }, `${page}/contacts/${helene!.id}`)
    expect((await contacts())[0]!.active).toBe(0)
    expect((await c.get(page)).body).toContain('Réactiver')
    await c.submit(page, { action: 'activate' }, `${page}/contacts/${helene!.id}`)
    expect((await contacts())[0]!.active).toBe(1)
  })

  it("keeps other platforms' partners out of reach", async () => {
    const other = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
    await seedPartners(t.db, other.id, [PARTNERS[0]!], '2026-11-01T00:00:00.000Z')
    const foreign = (await partners())[0]!
    expect((await c.get(`/admin/p/test/partners/${foreign.id}`)).statusCode).toBe(404)
    expect((await c.get('/admin/p/autre/partners')).statusCode).toBe(404)
    expect((await c.get('/admin/p/test/partners')).body).not.toContain('CAF du Pas-de-Calais')
  })

  describe('CSV import', () => {
    it('previews a good UTF-8 file, imports it on confirmation, and a second import adds nothing', async () => {
      const preview = await c.submit(IMPORT, { csv: fixture('contacts-utf8.csv').toString('utf8') })
      expect(preview.statusCode).toBe(200)
      expect(preview.body).toContain('<strong>4</strong> contact(s) prêt(s) à importer')
      expect(preview.body).toContain('Centre social &quot;Les Glycines&quot;')
      expect(await contacts()).toHaveLength(0)

      const confirm = await c.post(IMPORT, { step: 'confirm', csv: hiddenCsv(preview.body), _csrf: csrf(preview.body) })
      expect(confirm.statusCode).toBe(303)
      expect(confirm.headers.location).toBe('/admin/p/test/partners?imported=4&known=0&orgs=3')
      expect((await partners()).map((p) => p.name)).toEqual(['CAF du Pas-de-Calais', 'Département du Pas-de-Calais – Action sociale', 'Centre social "Les Glycines"'])
      expect((await contacts()).map((x) => [x.name, x.email, x.phone, x.role, x.active])).toEqual([
        ['Hélène Dupré', 'helene.dupre@caf.example.org', '03 21 00 00 01', 'Conseillère', 1],
        ['Marc Petit', 'marc.petit@caf.example.org', null, 'Chargé de mission', 1],
        ['Léa Martin', 'lea.martin@pasdecalais.example.org', '06 12 34 56 78', 'Travailleuse sociale', 1],
        ['Karim Benali', 'karim.benali@centres-sociaux.example.org', null, 'Directeur ; animation', 1],
      ])
      expect((await c.get(String(confirm.headers.location))).body).toContain('Import terminé : 4 contact(s) ajouté(s), 3 organisation(s) créée(s)')

      const again = await c.submit(IMPORT, { step: 'confirm', csv: fixture('contacts-utf8.csv').toString('utf8') })
      expect(again.headers.location).toBe('/admin/p/test/partners?imported=0&known=4&orgs=0')
      expect(await contacts()).toHaveLength(4)
      expect(await partners()).toHaveLength(3)
    })

    it('imports a Windows-1252 file with its accents intact', async () => {
      const preview = await c.submit(IMPORT, { csv_base64: fixture('contacts-1252.csv').toString('base64') })
      expect(preview.statusCode).toBe(200)
      expect(preview.body).toContain('Fédération des centres sociaux')
      expect(preview.body).toContain('Œdipe Müller')
      // The confirm step carries the decoded text.
      const confirm = await c.post(IMPORT, { step: 'confirm', csv: hiddenCsv(preview.body), _csrf: csrf(preview.body) })
      expect(confirm.statusCode).toBe(303)
      expect((await partners()).map((p) => p.name)).toEqual(['Fédération des centres sociaux', 'Fondation de France'])
      expect((await contacts()).map((x) => [x.name, x.role])).toEqual([
        ['Hélène Dupré', 'Déléguée'],
        ['Œdipe Müller', 'Chargée de mission « territoires », Nord'],
      ])
    })

    it('takes the Windows-1252 file itself, uploaded as a browser does (multipart)', async () => {
      const page = await c.get(IMPORT)
      const boundary = '----fabrik' + Date.now()
      const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
      const body = Buffer.concat([
        Buffer.from(part('_csrf', csrf(page.body)) + part('step', 'preview') + part('csv', '')),
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="csv_file"; filename="contacts.csv"\r\nContent-Type: text/csv\r\n\r\n`),
        fixture('contacts-1252.csv'),
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ])
      const preview = await c.request('POST', IMPORT, undefined, { 'content-type': `multipart/form-data; boundary=${boundary}` }, body)
      expect(preview.statusCode).toBe(200)
      expect(preview.body).toContain('Fédération des centres sociaux')
      expect(preview.body).toContain('Œdipe Müller')
      expect(await contacts()).toHaveLength(0)
    })

    it('imports nothing from a file with errors unless asked to skip those lines', async () => {
      const text = fixture('contacts-errors.csv').toString('utf8')
      const preview = await c.submit(IMPORT, { csv: text })
      expect(preview.statusCode).toBe(200)
      expect(preview.body).toContain('Ligne 3 : Adresse e-mail invalide : « marc.petit@caf ».')
      expect(preview.body).toContain('Ligne 4 : Organisation manquante.')
      expect(preview.body).toContain('<strong>2</strong> ligne(s) en erreur')

      const refused = await c.post(IMPORT, { step: 'confirm', csv: hiddenCsv(preview.body), _csrf: csrf(preview.body) })
      expect(refused.statusCode).toBe(400)
      expect(refused.body).toContain('Le fichier contient des erreurs')
      expect(await contacts()).toHaveLength(0)

      const skipped = await c.post(IMPORT, { step: 'confirm', csv: hiddenCsv(preview.body), skip_errors: 'yes', _csrf: csrf(refused.body) })
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
  })
})

describe("an organisation's participation over the year", () => {
  it('lists each session it was invited to and who answered what', async () => {
    const w = await world()
    try {
      await inviteAll(w)
      const links = await linksByEmail(w.t.db)
      await new Client(w.t.app).submit(links.get('marc.petit@caf.example.org')!, { answer: 'on_site', comment: '' })
      const caf = await w.t.db.selectFrom('partner').selectAll().where('name_key', '=', 'caf du pas de calais').executeTakeFirstOrThrow()
      const page = await w.admin.get(`/admin/p/test/partners/${caf.id}?year=2026`)
      expect(page.body).toContain('Participation en 2026')
      expect(page.body).toContain('<strong>1</strong> séance(s) sur 1')
      expect(page.body).toContain('Marc Petit : Vient sur place')
      expect(page.body).toContain('Hélène Dupré : Pas encore de réponse')
      expect(page.body).toContain(`href="${SESSION_PAGE}"`)
      expect((await w.admin.get(`/admin/p/test/partners/${caf.id}?year=2027`)).body).toContain('Aucune invitation cette année-là.')
    } finally {
      await w.t.close()
    }
  })
})

function csrf(html: string): string {
  return /name="_csrf" value="([^"]+)"/.exec(html)![1]!
}

/** The CSV the preview page carries to its confirm form, as a browser would send it back. */
function hiddenCsv(html: string): string {
  const m = /name="csv" value="([^"]*)"/.exec(html)
  if (!m) throw new Error('no confirm form on this page')
  return m[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}
