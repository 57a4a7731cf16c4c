import { describe, expect, it } from 'vitest'
import { CONTROL_CHARACTER, CONTROL_IN_LINE, CONTROL_IN_TEXT, stripInvisible, stripInvisibleAndSeparators } from '../src/text-safety.js'

// The one definition of unsafe characters: what a line refuses, what a text refuses, what output strips.

describe('text safety', () => {
  it('refuses in a line every control, separator and bidi control, and allows ordinary French text', () => {
    for (const c of ['\u0000', '\t', '\n', '\r', '\u001F', '\u007F', '\u0085', '\u009F', '\u2028', '\u2029', '\u202E', '\u2066', '\u2069']) {
      expect(CONTROL_IN_LINE.test(`a${c}b`)).toBe(true)
    }
    expect(CONTROL_IN_LINE.test('Élodie — « Café » l’Arrageoise')).toBe(false)
  })

  it('allows tab and line breaks (and U+2028/9) in a text of several lines, nothing else', () => {
    expect(CONTROL_IN_TEXT.test('ligne 1\nligne 2\r\n\tfin\u2028')).toBe(false)
    for (const c of ['\u0000', '\u000B', '\u000C', '\u007F', '\u0085', '\u202A', '\u2068']) expect(CONTROL_IN_TEXT.test(`a${c}b`)).toBe(true)
  })

  it('strips for pages and for calendars, keeping line breaks', () => {
    expect(stripInvisible('a\u202Eb\u0000c\nd\u2028')).toBe('abc\nd\u2028')
    expect(stripInvisibleAndSeparators('a\u202Eb\u0000c\nd\u2028\u2029\u0085')).toBe('abc\nd')
  })

  it('knows a control character from a space', () => {
    expect(CONTROL_CHARACTER.test(' é')).toBe(false)
    expect(CONTROL_CHARACTER.test('\u0007')).toBe(true)
  })
})
