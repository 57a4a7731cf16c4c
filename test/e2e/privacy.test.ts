import { describe, expect, it } from 'vitest'
import { e2eSkipReason } from './browser.js'
import { runScript } from './harness.js'
import { demoJourney, DESKTOP, logIn, PHONE } from './journeys.js'

// Données personnelles (#17 / tracker 22) on the demo: anyone reads the platform's privacy notice; a facilitator finds a resident by name, downloads their
// data, erases them (a mistyped confirmation first: told in French, nothing erased), and reads the trail; an
// operator does the same with npm run person:export / person:erase (a wrong option: one line, exit 1). Every
// page passes axe (WCAG 2.1 A/AA), on a desktop and on a phone (reflow).

const SLUG = 'lens-lievin'
const FACILITATOR = { email: 'camille.rgpd@fabrik-lens-lievin.example.org', name: 'Camille RGPD', password: 'une phrase de passe assez longue', platform: SLUG }
const DESKTOP_DOWNLOADS = { ...DESKTOP, acceptDownloads: true }
const MARTINE = 'martine.dubois@habitants.example.org'
const KEVIN = 'kevin.lefebvre@habitants.example.org'

// The one 400 of the file is the erasure sent with a mistyped confirmation, on purpose (a response and a
// console error); the browser's problems are counted over the whole file.
const expected400 = (base: string, p: string) => p.includes(`400 for POST ${base}/admin/p/${SLUG}/donnees-personnelles/effacer`)
  || (p.startsWith(`${base}/admin/p/${SLUG}/donnees-personnelles/effacer: console error:`) && p.includes('status of 400'))

describe.skipIf(e2eSkipReason() !== null)('Données personnelles: find, export, erase, and the trail', () => {
  const demo = demoJourney(FACILITATOR)

  it('lets a facilitator find, export and erase a resident, and shows the trail without their data', async () => {
    const base = demo.server.url
    for (const device of [DESKTOP_DOWNLOADS, PHONE]) {
      const page = await demo.journey.freshPage(device)
      // The notice, from the footer of the platform's public page.
      await page.goto(`${base}/${SLUG}`)
      await page.getByRole('link', { name: 'Données personnelles et vie privée' }).click()
      await page.waitForURL(`${base}/${SLUG}/confidentialite`)
      expect(await page.locator('main').textContent()).toContain('(CNIL)')
      await demo.journey.audit(page, `Privacy notice (${device === PHONE ? 'phone' : 'desktop'})`, device === PHONE ? 'privacy-notice-phone' : 'privacy-notice')
      await logIn(page, base, FACILITATOR)
      await page.goto(`${base}/admin/p/${SLUG}`)
      await page.getByRole('navigation', { name: 'Sections de la plateforme' }).getByRole('link', { name: 'Données personnelles' }).click()
      await page.waitForURL(`${base}/admin/p/${SLUG}/donnees-personnelles`)
      await demo.journey.audit(page, `Données personnelles (${device === PHONE ? 'phone' : 'desktop'})`, device === PHONE ? 'privacy-phone' : 'privacy')
      // Nadia Benali (a holder) is searched on both devices; Martine Dubois is erased on the desktop.
      await page.getByLabel('Adresse e-mail ou nom').fill('Benali')
      await page.getByRole('button', { name: 'Chercher' }).click()
      await page.waitForURL(`${base}/admin/p/${SLUG}/donnees-personnelles/recherche`)
      expect(await page.locator('tr[data-found="holder"]').first().textContent()).toContain('nadia.benali@habitants.example.org')
      await demo.journey.audit(page, 'Données personnelles, a search')
      if (device === PHONE) break

      const download = page.waitForEvent('download')
      await page.getByLabel('Adresse e-mail de la personne').first().fill(MARTINE)
      await page.getByLabel('Recopiez l’adresse pour confirmer', { exact: true }).fill(MARTINE)
      await page.getByRole('button', { name: 'Télécharger ses données' }).click()
      const file = await download
      expect(file.suggestedFilename()).toMatch(/^donnees-lens-lievin-\d{4}-\d{2}-\d{2}\.json$/)

      await page.goto(`${base}/admin/p/${SLUG}/donnees-personnelles`)
      const erase = page.locator(`form[action$="/effacer"]`)
      await erase.getByLabel('Adresse e-mail de la personne').fill(MARTINE)
      await erase.getByLabel('Recopiez l’adresse pour confirmer l’effacement').fill('martine@habitants.example.org')
      await page.getByRole('button', { name: 'Effacer définitivement' }).click()
      expect(await page.title()).toMatch(/^Erreur : Données personnelles/)
      expect(await page.locator('#erase_confirm-error').textContent()).toContain('Recopiez exactement')
      await demo.journey.audit(page, 'Données personnelles, erasure refused', 'privacy-error')
      await erase.getByLabel('Recopiez l’adresse pour confirmer l’effacement').fill(MARTINE)
      await page.getByRole('button', { name: 'Effacer définitivement' }).click()
      await page.waitForURL((url) => url.searchParams.get('ok') === 'efface')
      expect(await page.getByRole('status').textContent()).toContain('ont été effacées')

      await page.getByRole('link', { name: 'journal' }).click()
      await page.waitForURL(`${base}/admin/p/${SLUG}/donnees-personnelles/journal`)
      expect(await page.locator('tr[data-action="person.erase"]').count()).toBe(1)
      expect(await page.content()).not.toContain('Dubois')
      await demo.journey.audit(page, 'Journal des données personnelles', 'privacy-audit')

      await page.goto(`${base}/admin/p/${SLUG}/initiatives`)
      expect(await page.content()).not.toContain('Martine Dubois')
    }
    expect(demo.journey.a11yFailures).toEqual([])
    expect(demo.journey.consoleProblems().filter((p) => !expected400(base, p))).toEqual([])
  })

  it('lets a facilitator edit the notice and the retention period on the settings page (axe, desktop and phone)', async () => {
    const base = demo.server.url
    for (const device of [DESKTOP, PHONE]) {
      const page = await demo.journey.freshPage(device)
      await logIn(page, base, FACILITATOR)
      await page.goto(`${base}/admin/p/${SLUG}/settings`)
      expect(await page.locator('[data-section="privacy"]').textContent()).toMatch(/effacement/i)
      await demo.journey.audit(page, `Réglages (${device === PHONE ? 'phone' : 'desktop'})`, device === PHONE ? 'settings-phone' : 'settings')
      if (device === PHONE) break
      // The period first: the notice, still the default, says it; then a paragraph of the team's own.
      await page.getByLabel('Durée de conservation (mois sans activité)').fill('24')
      await page.getByRole('button', { name: 'Enregistrer' }).click()
      await page.waitForURL((url) => url.searchParams.get('saved') === '1')
      expect(await page.getByLabel('Durée de conservation (mois sans activité)').inputValue()).toBe('24')
      const notice = page.getByLabel('Information sur les données personnelles')
      await notice.fill(`${await notice.inputValue()}\n\n## Un mot de l’équipe\n\nNous répondons le jour même.`)
      await page.getByRole('button', { name: 'Enregistrer' }).click()
      await page.waitForURL((url) => url.searchParams.get('saved') === '1')
      await page.goto(`${base}/${SLUG}/confidentialite`)
      expect(await page.locator('main').textContent()).toContain('Nous répondons le jour même.')
      expect(await page.locator('main').textContent()).toContain('24 mois après votre dernière activité')
      await demo.journey.audit(page, 'Privacy notice, edited', 'privacy-notice-edited')
    }
    expect(demo.journey.a11yFailures).toEqual([])
    expect(demo.journey.consoleProblems().filter((p) => !expected400(demo.server.url, p))).toEqual([])
  })

  it('gives operators the same with npm run person:export and person:erase', async () => {
    const doc = JSON.parse(await runScript(demo.server, 'person-export', ['--platform', SLUG, '--email', KEVIN]))
    expect(doc.tables.holder[0]).toMatchObject({ name: 'Kevin Lefebvre', email: KEVIN })
    await expect(runScript(demo.server, 'person-erase', ['--platform', SLUG, '--email', KEVIN])).rejects.toThrow(/exit 1\): --yes: required[^\n]*\n?$/)
    await expect(runScript(demo.server, 'person-export', ['--platform', 'nulle-part', '--email', KEVIN])).rejects.toThrow(/--platform: unknown platform "nulle-part"\.\n?$/)
    expect(await runScript(demo.server, 'person-erase', ['--platform', SLUG, '--email', KEVIN, '--yes'])).toMatch(/^Erased on lens-lievin: /)
    expect(await runScript(demo.server, 'person-erase', ['--platform', SLUG, '--email', KEVIN, '--yes'])).toMatch(/^Nothing held about this address/)
    const again = JSON.parse(await runScript(demo.server, 'person-export', ['--platform', SLUG, '--email', KEVIN]))
    expect(again.tables).toEqual({})
    const sessions = await (await fetch(`${demo.server.url}/${SLUG}/sessions.json`)).text()
    expect(sessions).not.toContain('Kevin Lefebvre')
  })
})
