import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkA11y, e2eSkipReason, launchBrowser, newPage } from './browser.js'

// The checker checks: a page with known serious and critical faults must fail, a clean one must pass.
// Without this, a broken injection or a wrong tag list would let every journey pass silently.

describe.skipIf(e2eSkipReason() !== null)('checkA11y', () => {
  let browser: Browser | undefined

  beforeAll(async () => {
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('fails on serious and critical violations, naming rule and element', async () => {
    const page = await newPage(browser!)
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>
      <h1>Essai</h1>
      <p style="color:#aaa;background:#fff">Texte pâle</p>
      <form><input id="nom" name="nom"></form>
    </main></body></html>`)
    const failure = await checkA11y(page, 'faulty page').then(() => null, (error: Error) => error.message)
    expect(failure).toContain('"faulty page"')
    expect(failure).toContain('[serious] color-contrast')
    expect(failure).toContain('[critical] label')
    expect(failure).toContain('#nom')
  })

  it('passes a clean page', async () => {
    const page = await newPage(browser!)
    await page.setContent(`<!doctype html><html lang="fr"><head><title>Essai</title></head><body><main>
      <h1>Essai</h1><form><label for="nom">Nom</label><input id="nom" name="nom"></form>
    </main></body></html>`)
    await expect(checkA11y(page, 'clean page')).resolves.toEqual([])
  })
})
