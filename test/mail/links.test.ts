import { describe, expect, it } from 'vitest'
import { expandLinks, isLinkRef, linkRef, linkUrl, withLinks } from '../../src/mail/links.js'
import { personalToken } from '../../src/web/tokens.js'

const SECRET = 'links-test-secret-links-test-secret-0123'
const ctx = { secret: SECRET, publicUrl: 'https://fabrik.example.org', recipient: 'helene.dupre@caf.example.org' }
const rsvp = { purpose: 'rsvp', id: 12, version: 2 } as const

describe('personal link references', () => {
  it('stores a reference that names no token, and writes the working link back from it', () => {
    const ref = linkRef(SECRET, rsvp, ctx.recipient)
    const token = personalToken(SECRET, 'rsvp', 12, 2)
    expect(isLinkRef(ref)).toBe(true)
    expect(ref).not.toContain(token)
    expect(ref).toMatch(/^\[\[fabrik:rsvp:12:2:[A-Za-z0-9_-]{22}\]\]$/)
    expect(expandLinks(`Votre lien : ${ref}\n`, ctx, 'text')).toBe(`Votre lien : https://fabrik.example.org/rsvp/${token}\n`)
    expect(linkUrl(SECRET, ctx.publicUrl, { purpose: 'feed-holder', id: 3, version: 1 })).toBe(`https://fabrik.example.org/feeds/${personalToken(SECRET, 'feed-holder', 3, 1)}.ics`)
    expect(linkUrl(SECRET, ctx.publicUrl, { purpose: 'pitch', id: 4, version: 0 })).toBe(`https://fabrik.example.org/pitch/${personalToken(SECRET, 'pitch', 4, 0)}`)
  })

  it('escapes the link in HTML as the template would have', () => {
    const odd = { ...ctx, publicUrl: 'https://fabrik.example.org/a?b=1&c="2"' }
    const html = `<a href="${linkRef(SECRET, rsvp, ctx.recipient)}">lien</a>`
    expect(expandLinks(html, odd, 'html')).toBe(`<a href="https://fabrik.example.org/a?b=1&amp;c=&quot;2&quot;/rsvp/${personalToken(SECRET, 'rsvp', 12, 2)}">lien</a>`)
  })

  it('leaves as text a reference typed by someone: made up, altered, or copied from another person’s message', () => {
    const theirs = linkRef(SECRET, rsvp, 'victime@caf.example.org')
    const forged = `[[fabrik:rsvp:12:2:${'A'.repeat(22)}]]`
    const altered = linkRef(SECRET, rsvp, ctx.recipient).replace(':12:', ':13:')
    const unknown = linkRef(SECRET, rsvp, ctx.recipient).replace('rsvp', 'admin')
    const otherSecret = linkRef('another-secret-another-secret-another-secret', rsvp, ctx.recipient)
    for (const ref of [theirs, forged, altered, unknown, otherSecret]) {
      const text = `Bonjour ${ref},`
      expect(expandLinks(text, ctx, 'text')).toBe(text)
      expect(expandLinks(text, ctx, 'html')).toBe(text)
    }
  })

  it('expands a row as it leaves, for its own recipient only', () => {
    const ref = linkRef(SECRET, rsvp, ctx.recipient)
    const row = { to_email: ctx.recipient, text_body: `a ${ref}`, html_body: `<p>${ref}</p>`, ical: `URL:${ref}` }
    const sent = withLinks(row, { sessionSecret: SECRET, publicUrl: ctx.publicUrl })
    expect(sent.text_body).toBe(`a https://fabrik.example.org/rsvp/${personalToken(SECRET, 'rsvp', 12, 2)}`)
    expect(sent.html_body).toContain('/rsvp/')
    expect(sent.ical).toBe(row.ical) // the calendar part carries no personal link
    expect(withLinks({ ...row, to_email: 'autre@example.org' }, { sessionSecret: SECRET, publicUrl: ctx.publicUrl }).text_body).toBe(row.text_body)
  })
})
