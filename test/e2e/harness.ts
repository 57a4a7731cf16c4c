import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { inject } from 'vitest'
import { freePort, type SmtpPeer, startSmtpPeer } from '../helpers/smtp.js'

// The real server process, started the way `npm start` starts it (`node dist/src/server.js`, after the build
// that global-setup.ts runs), on a free port, a temp DATA_DIR and an in-test SMTP server.

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by global-setup.ts: null when `dist/` is built and current, else why not (tsc's output). */
    e2eBuildError: string | null
  }
}

export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('package.json not found')
    dir = parent
  }
  return dir
}

export const BUILT_ENTRY_POINTS = ['dist/src/server.js', 'dist/scripts/seed-demo.js', 'dist/scripts/user-add.js']

export interface RunningServer {
  url: string
  port: number
  dataDir: string
  smtp: SmtpPeer
  /** The environment the server runs with; the scripts below reuse it (same DATA_DIR, same PUBLIC_URL). */
  env: NodeJS.ProcessEnv
  /** Everything the process printed so far (LOG_LEVEL=warn: warnings and errors only). */
  output(): string
  stop(): Promise<void>
}

export interface ServerOptions {
  /** Extra or overriding environment variables (e.g. MAIL_FROM). */
  env?: Record<string, string>
  /** Milliseconds to wait for GET /healthz = 200. */
  readyTimeout?: number
}

// Only what a shell would hand `npm start`: none of the parent's Fabrik variables (DATABASE_URL…), nor
// vitest's (VITEST, NODE_ENV=test, NODE_OPTIONS), so the server runs as it would for a user.
function baseEnv(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR']
  return Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]))
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const root = projectRoot()
  for (const file of BUILT_ENTRY_POINTS) {
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing: the e2e global setup builds it (npx tsc -p tsconfig.build.json)`)
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'fabrik-e2e-'))
  const smtp = await startSmtpPeer()
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env: NodeJS.ProcessEnv = {
    ...baseEnv(),
    PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, PUBLIC_URL: url, SMTP_URL: smtp.url,
    SESSION_SECRET: randomBytes(32).toString('base64url'), LOG_LEVEL: 'warn',
    ...opts.env,
  }
  const child = spawn(process.execPath, ['dist/src/server.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))

  const cleanUp = async () => {
    await stopProcess(child, exited)
    await smtp.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await waitForHealth(url, child, () => output, opts.readyTimeout ?? 30_000)
  } catch (error) {
    await cleanUp()
    throw error
  }
  return { url, port, dataDir, smtp, env, output: () => output, stop: cleanUp }
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  let last = 'no answer'
  while (Date.now() < deadline) {
    // A process killed by a signal (an abort in a native module: SIGABRT) has no exit code, only a signal.
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.signalCode !== null ? `was killed by ${child.signalCode}` : `exited with code ${child.exitCode}`
      throw new Error(`the server ${how} before answering /healthz:\n${output()}`)
    }
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) })
      if (res.status === 200) return
      last = `HTTP ${res.status}`
    } catch (error) {
      last = error instanceof Error ? error.message : String(error)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`GET ${url}/healthz did not answer 200 within ${timeoutMs} ms (last: ${last}):\n${output()}`)
}

/** SIGTERM (the server's graceful shutdown), then SIGKILL after 5 s. */
async function stopProcess(child: ChildProcess, exited: Promise<number | null>) {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
  await exited
  clearTimeout(timer)
}

const execFileP = promisify(execFile)

/** Runs `node dist/scripts/<name>.js args…` against the server's DATA_DIR, as `npm run …` would. */
export async function runScript(server: Pick<RunningServer, 'env'>, name: string, args: string[] = [], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await execFileP(process.execPath, [`dist/scripts/${name}.js`, ...args], {
      cwd: projectRoot(), env: { ...server.env, ...env }, timeout: 60_000,
    })
    return stdout
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string; message: string }
    throw new Error(`${name} ${args.join(' ')} failed (exit ${e.code}): ${e.stderr || e.stdout || e.message}`)
  }
}

/** `npm run seed:demo`: the demo platform lens-lievin. */
export function seedDemo(server: Pick<RunningServer, 'env'>): Promise<string> {
  return runScript(server, 'seed-demo')
}

/** `FABRIK_PASSWORD=… npm run user:add -- --email … --name … --platform …`. */
export function addFacilitator(server: Pick<RunningServer, 'env'>, user: { email: string; name: string; password: string; platform?: string }): Promise<string> {
  const args = ['--email', user.email, '--name', user.name, ...(user.platform ? ['--platform', user.platform] : [])]
  return runScript(server, 'user-add', args, { FABRIK_PASSWORD: user.password })
}

/**
 * What every journey starts from: the built server (the build's error, if any, fails the journey) on the
 * demo platform, with a facilitator account when the journey needs one. Stopped again if seeding fails.
 */
export async function startDemoServer(facilitator?: Parameters<typeof addFacilitator>[1]): Promise<RunningServer> {
  const buildError = inject('e2eBuildError')
  if (buildError) throw new Error(buildError)
  const server = await startServer()
  try {
    await seedDemo(server)
    if (facilitator) await addFacilitator(server, facilitator)
    return server
  } catch (error) {
    await server.stop()
    throw error
  }
}
