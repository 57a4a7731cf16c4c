import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Eta } from 'eta'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { csrfToken } from './csrf.js'
import { doNotCache } from './page-cache.js'
import { stripInvisible } from '../text-safety.js'

/** The project root (holds package.json and views/), from src/ under vitest or dist/src/ once built. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('package.json not found above ' + dir)
    dir = parent
  }
  return dir
}

export const viewsDir = (): string => join(projectRoot(), 'views')

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * What `<%= %>` does to every value: HTML-escaped, and stripped of the invisible characters that could
 * disguise text (bidi overrides and isolates, C0/C1 controls but tab and newline, NUL).
 */
export function escapeHtml(value: unknown): string {
  return stripInvisible(String(value))
    .replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

/** One Eta instance for pages and emails: templates compiled once and cached. */
export function createViews(): Eta {
  // <%= %> escapes (escapeHtml); <%~ %> is kept for markup the app produced itself.
  return new Eta({ views: viewsDir(), cache: true, autoEscape: true, autoTrim: false, escapeFunction: escapeHtml })
}

/** Renders a page with the layout's common data; the CSRF token is only minted if the page has a form. */
export function page(request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>, status = 200) {
  let token: string | undefined
  const csrf = () => {
    if (token === undefined) {
      doNotCache(request) // the token is this visitor's
      token = csrfToken(request, reply)
    }
    return token
  }
  reply.code(status).type('text/html; charset=utf-8')
  // A page re-shown with errors says so first, in its title: what a screen reader announces on load.
  const errors = data.errors as Record<string, string> | undefined
  const title = status === 400 && errors && Object.keys(errors).length > 0 ? `Erreur : ${String(data.title)}` : data.title
  return reply.view(view, { login: request.login, csrf, ...data, title })
}
