import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { seedPartners } from '../../src/partners/store.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { inviteAll, linksByEmail, PARTNERS, SESSION_PAGE, world } from './helpers.js'

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
