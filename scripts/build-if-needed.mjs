// Compiles src/, scripts/ and migrations/ into dist/ only when a source changed since the last build, and says
// so: `npm start` and every npm script run this first. Plain JavaScript, so it runs before anything is built.
// With nothing changed it costs a directory walk (a few milliseconds), not tsc's 5–12 s.
//
// usage: node scripts/build-if-needed.mjs [--force]
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import process from 'node:process'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SOURCES = ['src', 'scripts', 'migrations']
const CONFIG = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json']
const STAMP = join(root, 'dist', '.built')
const ENTRY = join(root, 'dist', 'src', 'server.js')

/** The newest modification time under the sources (TypeScript files and the data they read). */
function newest(path) {
  const info = statSync(path, { throwIfNoEntry: false })
  if (!info) return 0
  if (!info.isDirectory()) return info.mtimeMs
  let latest = info.mtimeMs // a deleted or renamed file changes its folder's time
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)))
  return latest
}

export function buildNeeded() {
  const stamp = statSync(STAMP, { throwIfNoEntry: false })
  if (!stamp || !existsSync(ENTRY)) return true
  const sources = Math.max(...SOURCES.map((s) => newest(join(root, s))), ...CONFIG.map((c) => newest(join(root, c))))
  return sources > stamp.mtimeMs
}

function build() {
  const started = Date.now()
  const first = !existsSync(ENTRY)
  process.stderr.write(first
    ? 'Fabrik: compiling for the first time (about 30 s on a small machine)…\n'
    : 'Fabrik: sources changed, compiling…\n')
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  // tsc --incremental trusts dist/.tsbuildinfo and does not re-emit files someone deleted: start over then.
  if (first) rmSync(join(root, 'dist', '.tsbuildinfo'), { force: true })
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) {
    process.stderr.write(`Fabrik: compilation failed (tsc exit ${result.status ?? result.signal}).\n`)
    process.exit(result.status ?? 1)
  }
  // Stamped with the time the build started: a file saved during the build is seen as changed next time.
  writeFileSync(STAMP, `${new Date(started).toISOString()}\n`)
  utimesSync(STAMP, new Date(started), new Date(started))
  process.stderr.write(`Fabrik: compiled in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--force') || buildNeeded()) build()
}
