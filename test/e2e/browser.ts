import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium, type Page } from 'playwright-core'
import { projectRoot } from './harness.js'

// Debian's Chromium driven by playwright-core. Never `playwright install`: this machine cannot download a
// browser, and the one CI installs (apt-get install chromium) is the one users' distributions ship.

export const CHROMIUM = process.env.FABRIK_CHROMIUM || '/usr/bin/chromium'

/**
 * Why the e2e tests do not run here, or null when they do. A missing browser skips them on a developer's
 * machine (with a warning, printed once by global-setup.ts) but is a failure in CI.
 */
export function e2eSkipReason(): string | null {
  if (process.env.FABRIK_E2E === 'skip') return 'FABRIK_E2E=skip'
  if (!existsSync(CHROMIUM) && !process.env.CI) {
    return `Debian Chromium not found at ${CHROMIUM} — apt-get install -y chromium`
  }
  return null
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Debian Chromium not found at ${CHROMIUM} (CI=${process.env.CI ?? ''}): apt-get install -y chromium`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    // The background-networking flags matter: without them Chromium keeps calling Google's hosts, which this
    // closed network refuses, many at a time. --no-sandbox because CI runs as root.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  })
}

/** A fresh context (no cookies) in French, at desktop width. The app's CSP stays on: see checkA11y. */
export async function newPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', timezoneId: 'Europe/Paris', viewport: { width: 1280, height: 800 } })
  return context.newPage()
}

/**
 * Page errors, CSP refusals, console errors and failed requests (HTTP ≥ 400) seen by a page; the test asserts
 * the list stays empty.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(`${page.url()}: uncaught ${error.message}`))
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const source = message.location().url
    // The browser asks for /favicon.ico by itself (no <link rel="icon"> in the layout yet): not the page's fault.
    if (message.text().startsWith('Failed to load resource') && new URL(source || page.url()).pathname === '/favicon.ico') return
    problems.push(`${page.url()}: console error: ${message.text()}${source ? ` (${source})` : ''}`)
  })
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${page.url()}: ${response.status()} for ${response.request().method()} ${response.url()}`)
  })
  return problems
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

// WCAG 2.1 levels A and AA, nothing else (best practices are advice, not law).
const AXE_OPTIONS = { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] }

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  helpUrl: string
  nodes: Array<{ target: string; summary: string }>
}

/**
 * Runs axe-core on the page as it is and throws, listing them readably, when it finds a `serious` or
 * `critical` violation (lesser ones are printed, not failed).
 *
 * Injection: the app's CSP is `script-src 'self'`, so `page.addScriptTag({ content })` (an inline <script>)
 * is refused by the page. `page.evaluate(source)` runs through the DevTools protocol, which CSP does not
 * govern — so axe gets in while the page keeps its real CSP (no `bypassCSP`, which would hide CSP breakage
 * from these tests).
 */
export async function checkA11y(page: Page, label: string): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"')
  if (!loaded) await page.evaluate(AXE_SOURCE)
  const violations = await page.evaluate(async (options) => {
    const g = globalThis as any
    const result = await g.axe.run(g.document, options)
    return (result.violations as any[]).map((v) => ({
      id: String(v.id), impact: v.impact ?? null, help: String(v.help), helpUrl: String(v.helpUrl),
      nodes: (v.nodes as any[]).map((n) => ({ target: (n.target as unknown[]).map(String).join(' '), summary: String(n.failureSummary ?? '') })),
    }))
  }, AXE_OPTIONS) as AxeViolation[]
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  const minor = violations.filter((v) => !blocking.includes(v))
  if (minor.length) console.warn(`axe (${label}, not failing):\n${formatViolations(minor)}`)
  if (blocking.length) {
    throw new Error(`axe: ${blocking.length} serious/critical WCAG 2.1 A/AA violation(s) on "${label}" (${page.url()}):\n${formatViolations(blocking)}`)
  }
  return violations
}

export function formatViolations(violations: AxeViolation[]): string {
  return violations.map((v) => [
    `  • [${v.impact}] ${v.id}: ${v.help}`,
    `    ${v.helpUrl}`,
    ...v.nodes.slice(0, 5).map((n) => `    – ${n.target}\n      ${n.summary.replace(/\n\s*/g, ' ')}`),
    ...(v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more element(s)`] : []),
  ].join('\n')).join('\n')
}

export const SCREENSHOT_DIR = join(projectRoot(), 'test-artifacts', 'screenshots')

/** Full-page PNGs at phone (375 px) and desktop (1280 px) width: `<name>-375.png`, `<name>-1280.png`. */
export async function screenshot(page: Page, name: string): Promise<string[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const before = page.viewportSize() ?? { width: 1280, height: 800 }
  const files: string[] = []
  try {
    for (const width of [375, 1280]) {
      await page.setViewportSize({ width, height: 800 })
      const path = join(SCREENSHOT_DIR, `${name}-${width}.png`)
      await page.screenshot({ path, fullPage: true })
      files.push(path)
    }
  } finally {
    await page.setViewportSize(before)
  }
  return files
}

/**
 * One journey's pages and what was found on them: each page gets a fresh context (another device, or a
 * mail app opening a link) and a console watch; `audit` runs axe (and, on a phone, the reflow check) and
 * collects failures, so that one run reports every page.
 */
export class Journey {
  readonly a11yFailures: string[] = []
  private readonly consoleLists: string[][] = []
  private readonly contexts: BrowserContext[] = []

  constructor(private readonly browser: Browser) {}

  async freshPage(options: BrowserContextOptions): Promise<Page> {
    const context = await this.browser.newContext(options)
    this.contexts.push(context)
    const page = await context.newPage()
    this.consoleLists.push(watchConsole(page))
    return page
  }

  consoleProblems(): string[] {
    return this.consoleLists.flat()
  }

  async audit(page: Page, label: string, shot?: string) {
    try {
      await checkA11y(page, label)
    } catch (error) {
      this.a11yFailures.push((error as Error).message)
    }
    if ((page.viewportSize()?.width ?? 1280) <= 375) await this.reflows(page, label)
    if (shot) await screenshot(page, shot)
  }

  /** WCAG 1.4.10 (reflow): at phone width nothing may widen the page into a horizontal scroll. */
  private async reflows(page: Page, label: string) {
    const { scrollWidth, innerWidth, widest } = await page.evaluate(`(() => {
      const innerWidth = document.documentElement.clientWidth
      let widest = ''
      for (const el of document.querySelectorAll('main *')) {
        const r = el.getBoundingClientRect()
        if (r.right > innerWidth + 1 && !el.closest('.table-wrap')) { widest = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ': ' + (el.textContent || '').trim().slice(0, 60); break }
      }
      return { scrollWidth: document.documentElement.scrollWidth, innerWidth, widest }
    })()`) as { scrollWidth: number; innerWidth: number; widest: string }
    if (scrollWidth > innerWidth) this.a11yFailures.push(`reflow: "${label}" (${page.url()}) is ${scrollWidth} px wide in a ${innerWidth} px viewport (WCAG 1.4.10); first too wide: ${widest}`)
  }

  async close() {
    for (const c of this.contexts) await c.close().catch(() => undefined)
  }
}
