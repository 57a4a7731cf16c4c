import { describe, expect, it } from 'vitest'
import { readSource, sourceFiles } from './scan.js'

// Small files (ARCHITECTURE.md, issue #18): a source file past ~250 lines is usually two ideas. One that must
// stay longer says why in a comment line starting "Long file:" among its first 40 lines.

const LIMIT = 260

describe('file sizes', () => {
  it(`keeps every file of src/ under ${LIMIT} lines, or says at its top why not`, () => {
    const long = sourceFiles().flatMap((file) => {
      const lines = readSource(file).split('\n')
      if (lines.length <= LIMIT) return []
      const reason = lines.slice(0, 40).some((l) => /^\s*(\/\/|\*)\s*Long file: \S/.test(l))
      return reason ? [] : [`src/${file} has ${lines.length} lines: split it by concern, or write at its top "// Long file: <why it stays one file>".`]
    })
    expect(long).toEqual([])
  })
})
