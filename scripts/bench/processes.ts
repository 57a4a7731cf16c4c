import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

// Child processes of the bench (the app, the bare server), their memory and CPU from /proc, and a tiny
// cookie-keeping HTTP client for the set-up requests (login, CSRF tokens).

export interface Child {
  process: ChildProcess
  pid: number
  /** The last lines the child wrote, shown when it fails. */
  output(): string
  exited: Promise<number | null>
}

const live = new Set<ChildProcess>()
let guarded = false

/**
 * Children die with the bench: on a normal end, an exception, Ctrl-C or SIGTERM (not on SIGKILL, which nothing
 * can catch; the bare server also exits when its stdin closes). A closed stdout (`| head`) must not kill the
 * bench before it has stopped them.
 */
function guard() {
  if (guarded) return
  guarded = true
  const killAll = () => { for (const c of live) c.kill('SIGTERM') }
  process.on('exit', killAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      killAll()
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal])
    })
  }
  process.stdout.on('error', () => undefined)
}

export function startNode(script: string, args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Child {
  guard()
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  live.add(child)
  child.on('exit', () => live.delete(child))
  let tail = ''
  const keep = (chunk: Buffer) => { tail = (tail + chunk.toString()).slice(-4000) }
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  if (child.pid === undefined) throw new Error(`could not start ${script}`)
  return { process: child, pid: child.pid, output: () => tail, exited }
}

/** SIGTERM, then SIGKILL after a grace period: only ever this child, by its own handle. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return
  child.process.kill('SIGTERM')
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs)
  await child.exited
  clearTimeout(timer)
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Milliseconds from `since` until `url` first answers 200 (polled every 5 ms). */
export async function waitFor200(url: string, child: Child, since: number, timeoutMs = 60_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (child.process.exitCode !== null) throw new Error(`process exited with ${child.process.exitCode} before answering:\n${child.output()}`)
    try {
      const res = await fetch(url)
      await res.arrayBuffer()
      if (res.status === 200) return performance.now() - since
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${child.output()}`)
}

/** A field of /proc/<pid>/status in kB (VmHWM: peak resident set; VmRSS: now). */
export function procStatusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** User + system CPU seconds the process has used so far (/proc/<pid>/stat, in clock ticks of 1/100 s). */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return null
  }
}

export interface Fetched {
  status: number
  contentType: string
  location: string | null
  body: Buffer
  ms: number
}

/** Keeps cookies across requests like a browser would; never follows redirects. */
export class CookieClient {
  readonly cookies = new Map<string, string>()
  constructor(private readonly base: string) {}

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }

  async request(method: 'GET' | 'POST', path: string, form?: Record<string, string>, extra: Record<string, string> = {}): Promise<Fetched> {
    const started = performance.now()
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookies.size ? { cookie: this.header() } : {}),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...extra,
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    })
    const body = Buffer.from(await res.arrayBuffer())
    const ms = performance.now() - started
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/octet-stream', location: res.headers.get('location'), body, ms }
  }
}

/** The CSRF token of the first form on a page. */
export function csrfField(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!m) throw new Error('no CSRF field on this page')
  return m[1]!.replace(/&amp;/g, '&')
}

/** Busy and total CPU seconds of the whole machine since boot (/proc/stat, first line). */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
    const total = fields.reduce((a, b) => a + b, 0)
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
    return { busy: (total - idle) / 100, total: total / 100 }
  } catch {
    return null
  }
}
