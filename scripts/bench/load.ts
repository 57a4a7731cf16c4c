import autocannon from 'autocannon'
import { cpuSeconds } from './processes.js'

// One measurement: a short warm-up (results dropped), then a fixed-duration run at N connections.

export interface LoadRequest {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
  /** Replace `[<id>]` in the body with a fresh id on every request. */
  idReplacement?: boolean
  /** A new body for every request, instead of `body` (a new booking form each time: its own CSRF token). */
  nextBody?: () => string
}

export interface LoadFigures {
  rps: number
  p50: number
  p99: number
  requests: number
  errors: number
  timeouts: number
  /** Responses with another status than the one expected. */
  unexpected: number
  /** CPU time the server process spent per request during the measured run: unlike req/s, it hardly moves
   * when other processes share the cores. */
  cpuMsPerRequest: number | null
  statuses: Record<string, number>
}

export async function load(base: string, request: LoadRequest, options: { connections: number; seconds: number; warmupSeconds: number; expect: number; serverPid: number }): Promise<LoadFigures> {
  const run = (duration: number) => autocannon({
    url: base + request.path,
    method: request.method,
    headers: request.headers,
    body: request.body,
    idReplacement: request.idReplacement,
    requests: request.nextBody ? [{ setupRequest: (r) => ({ ...r, body: request.nextBody!() }) }] : undefined,
    connections: options.connections,
    duration,
    timeout: 10,
  })
  if (options.warmupSeconds > 0) await run(options.warmupSeconds)
  const cpu0 = cpuSeconds(options.serverPid)
  const r = await run(options.seconds)
  const cpu1 = cpuSeconds(options.serverPid)
  const statuses = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, Number(s.count)]))
  const total = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    rps: total / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    requests: total,
    errors: r.errors,
    timeouts: r.timeouts,
    unexpected: total - (statuses[String(options.expect)] ?? 0),
    statuses,
    cpuMsPerRequest: cpu0 !== null && cpu1 !== null && total > 0 ? ((cpu1 - cpu0) * 1000) / total : null,
  }
}

/** A plain-text table with aligned columns (the first left-aligned, the others right-aligned). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString()),
  ratio: (n: number) => n.toFixed(2),
}
