import { describe, expect, it } from 'vitest'
import { displayName, escapeText, isSafeEmail, isSafeHttpsUrl, singleLine, stripControl } from '../../src/calendar/sanitise.js'

describe('stripControl', () => {
  it('removes C0/C1 controls, DEL, NUL, bidi overrides/isolates and LS/PS', () => {
    const input = 'a\u0000b\u001bc\u0007d\u007fe\u0085f\u009bg\u202eh\u202ai\u2066j\u2069k\u2028l\u2029m\u000bn\u000co'
    expect(stripControl(input)).toBe('abcdefghijklmno')
  })

  it('turns TAB into a space and normalises CR/CRLF to LF', () => {
    expect(stripControl('a\tb\r\nc\rd\ne')).toBe('a b\nc\nd\ne')
  })

  it('drops lone surrogates but keeps emoji and accents', () => {
    expect(stripControl('é\uD800x\uDC00🎉')).toBe('éx🎉')
  })
})

describe('singleLine', () => {
  it('joins lines, collapses spaces and trims', () => {
    expect(singleLine('  Table\r\n ronde\t\tde\u0000 mars \n')).toBe('Table ronde de mars')
  })
})

describe('displayName', () => {
  it('removes characters that break CN="..." or e-mail display names', () => {
    expect(displayName('Asso "Les Amis", Lens')).toBe('Asso Les Amis, Lens')
    expect(displayName('Jean <jean@example.org>\r\nBcc: x\\y')).toBe('Jean jean@example.org Bcc: xy')
    expect(displayName('\u202eÉlodie\u0000 ')).toBe('Élodie')
  })
})

describe('escapeText', () => {
  it('escapes backslash, semicolon, comma and newline (RFC 5545 §3.3.11), not colon', () => {
    expect(escapeText('a\\b;c,d:e\r\nf')).toBe('a\\\\b\\;c\\,d:e\\nf')
  })

  it('strips controls first', () => {
    expect(escapeText('x\u001b[31my\u202e')).toBe('x[31my')
  })
})

describe('isSafeHttpsUrl', () => {
  it.each([
    'https://visio.example/fabrik',
    'https://meet.example.org/abc-def?pwd=XyZ.1&lang=fr#top',
    'https://exemple.fr/réunion',
  ])('accepts %s', (url) => {
    expect(isSafeHttpsUrl(url)).toBe(true)
  })

  it.each([
    'http://visio.example/fabrik',
    'javascript:alert(1)',
    'JavaScript://%0aalert(1)',
    'data:text/html,<script>',
    'https://user:pw@visio.example/',
    'https://visio.example/a b',
    'https://visio.example/a\r\nX-INJ:1',
    'https://visio.example/\u202e',
    'https://visio.example/a;b',
    'https://visio.example/?a=1,2',
    '//visio.example/',
    'visio.example',
    '',
    'https://' + 'a'.repeat(2000) + '.example/',
  ])('refuses %j', (url) => {
    expect(isSafeHttpsUrl(url)).toBe(false)
  })
})

describe('isSafeEmail', () => {
  it('accepts ordinary addresses', () => {
    expect(isSafeEmail('contact@amis-lens.example')).toBe(true)
    expect(isSafeEmail("o'brien+fabrik@mail.example.org")).toBe(true)
  })

  it.each(['a@b', 'a b@c.example', 'a@c.example\r\nATTENDEE:mailto:x@y.example', 'a?cc=x@y.example', 'a;b@c.example', '"a"@c.example', 'ÉLODIE@exemple.fr'])(
    'refuses %j',
    (email) => {
      expect(isSafeEmail(email)).toBe(false)
    },
  )
})
