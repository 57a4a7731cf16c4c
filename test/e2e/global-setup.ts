import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { e2eSkipReason } from './browser.js'
import { BUILT_ENTRY_POINTS, projectRoot } from './harness.js'

// Runs once per `vitest run`, and only when a file of the e2e project is selected (vitest runs a project's
// globalSetup only for projects with queued files). It builds dist/ as `npm start` does, so the tests drive
// the same `node dist/src/server.js` a user runs. A failed build does not abort the run (the unit tests
// still report): it is handed to the e2e tests, which fail with tsc's output.

export default function setup(project: TestProject) {
  const skip = e2eSkipReason()
  if (skip) {
    console.warn(`\n⚠ e2e tests skipped: ${skip}\n`)
    project.provide('e2eBuildError', null)
    return
  }
  project.provide('e2eBuildError', build())
}

function build(): string | null {
  const root = projectRoot()
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const run = () => spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8' })
  const started = Date.now()
  let result = run()
  // tsc --incremental trusts dist/.tsbuildinfo and does not re-emit files someone deleted: start over.
  if (result.status === 0 && BUILT_ENTRY_POINTS.some((f) => !existsSync(join(root, f)))) {
    rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true })
    result = run()
  }
  if (result.status !== 0) {
    return `npx tsc -p tsconfig.build.json failed (exit ${result.status ?? result.signal}):\n${result.stdout}${result.stderr}`
  }
  console.log(`e2e: built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return null
}
