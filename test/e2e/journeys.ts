import type { Page } from 'playwright-core'
import { afterAll, beforeAll } from 'vitest'
import { Journey, launchBrowser } from './browser.js'
import { addFacilitator, type RunningServer, startDemoServer } from './harness.js'

// What every journey's describe block starts from: the demo server (with a facilitator account when the
// journey needs one), Chromium and a Journey (fresh contexts, axe, reflow, console problems), started before
// its tests and stopped after; and the login form, filled in as a person does.

/** The two devices of the journeys: a laptop, and a phone at 375 px (WCAG 1.4.10 reflow width). */
export const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' }
export const PHONE = { viewport: { width: 375, height: 740 }, locale: 'fr-FR', timezoneId: 'Europe/Paris', isMobile: true, hasTouch: true }

export interface DemoJourney {
  readonly server: RunningServer
  readonly journey: Journey
}

/** Call at the top of a describe block; read `server` and `journey` inside its tests. */
export function demoJourney(facilitator?: Parameters<typeof addFacilitator>[1]): DemoJourney {
  let server: RunningServer | undefined
  let journey: Journey | undefined
  let close: (() => Promise<void>) | undefined
  beforeAll(async () => {
    server = await startDemoServer(facilitator)
    const browser = await launchBrowser()
    journey = new Journey(browser)
    close = () => browser.close()
  })
  afterAll(async () => {
    await journey?.close()
    await close?.()
    await server?.stop()
  })
  return {
    get server() {
      if (!server) throw new Error('demoJourney: the server is not started (read it inside a test)')
      return server
    },
    get journey() {
      if (!journey) throw new Error('demoJourney: the browser is not started (read it inside a test)')
      return journey
    },
  }
}

/**
 * Logs in from the login page and waits for where the login leads: an /admin page unless `landing` says
 * which (a URL, or a test of it).
 */
export async function logIn(page: Page, base: string, user: { email: string; password: string },
  landing: string | ((url: URL) => boolean) = (url) => url.pathname.startsWith('/admin')) {
  await page.goto(`${base}/login`)
  await page.getByLabel('Adresse e-mail').fill(user.email)
  await page.getByLabel('Mot de passe').fill(user.password)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await page.waitForURL(landing)
}
