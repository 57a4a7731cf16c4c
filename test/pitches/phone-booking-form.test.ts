import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { aCommune, aSession } from '../helpers/factories.js'

// The facilitator's booking form (a phone booking) uses the public form's fields: each line of its error
// summary links to a field that exists on the page.

describe('the facilitator’s booking form', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    const platform = await createPlatform(t.db)
    await aCommune(t.db, platform)
    await aSession(t.db, platform)
  })
  afterEach(() => t.close())

  it('links every error of its summary to a field of the page, and keeps the facilitator’s wording', async () => {
    const admin = await facilitatorClient(t.app, t.db, [(await t.db.selectFrom('platform').select('id').executeTakeFirstOrThrow()).id])
    const page = '/admin/p/test/sessions/2026-12-18/pitches/new'
    const res = await admin.submit(page, { holder_name: '', holder_kind: 'nope', domain: 'nope', needs: 'nope', stage: 'nope', attendance: 'nope', initiative_title: '', initiative_summary: '' })
    expect(res.statusCode).toBe(400)
    const summary = /<div class="alert" role="alert" id="erreurs"[\s\S]*?<\/div>/.exec(res.body)![0]
    const targets = [...summary.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]!)
    expect(targets).toEqual(expect.arrayContaining(['holder_name', 'holder_kind', 'initiative_title', 'initiative_summary', 'consent']))
    for (const id of targets) expect(res.body, `#${id}`).toContain(`id="${id}"`)
    expect(res.body).toContain('Comment la personne participera-t-elle ?')
    expect(res.body).toContain('La personne accepte que le titre de son initiative apparaisse')
    expect(res.body).not.toContain('De quoi avez-vous besoin ?')
  })
})
