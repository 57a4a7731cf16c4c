import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readSource, sourceFiles } from './scan.js'

// No import circle (issue #18): between the files of src/, counting the imports that stay at run time
// (`import type` and `import { type X }` only leave none), nothing imports itself back.

function edges(file: string): string[] {
  const text = readSource(file)
  const found = [...text.matchAll(/^(?:import|export)\s+(type\s+)?(?:\{([^}]*)\}|[\w*\s,{}]+?)\s+from\s+'(\.[^']+)'/gm)]
  return found
    .filter((m) => !m[1] && !(m[2] !== undefined && m[2].split(',').every((n) => !n.trim() || /^type\s/.test(n.trim()))))
    .map((m) => normalize(join(dirname(file), m[3]!.replace(/\.js$/, '.ts'))))
}

describe('imports', () => {
  it('form no circle between the files of src/', () => {
    const files = sourceFiles()
    const graph = new Map(files.map((f) => [f, edges(f).filter((e) => files.includes(e))]))
    const circles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return
      if (state.get(f) === 'open') { circles.push([...path.slice(path.indexOf(f)), f].join(' → ')); return }
      state.set(f, 'open')
      for (const next of graph.get(f) ?? []) visit(next, [...path, f])
      state.set(f, 'done')
    }
    for (const f of files) visit(f, [])
    expect(circles).toEqual([])
    // The scan sees the edges it should.
    expect(graph.get('app.ts')).toContain('platforms/access.ts')
  })
})
