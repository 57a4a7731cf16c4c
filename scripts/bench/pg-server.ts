import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from './processes.js'

// A throw-away PostgreSQL server for the bench, started as scripts/pg-test.sh starts one (initdb and pg_ctl
// as the postgres user when run as root, a temp folder, a free port, the socket in that folder), but with
// PostgreSQL's own durability left on (fsync, synchronous_commit, full_page_writes): an acknowledged
// booking is on disk, as SQLite's synchronous = FULL makes it in the app. It is stopped by stop(), and on
// the bench's exit however it exits (Ctrl-C, an exception): pg_ctl daemonizes it, so no child handle would.

export interface PgServer {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database: string): string
  version: string
  /** The postmaster's pid (for its CPU time: it does not count its backends'). */
  pid: number | null
  /** Stops the server and removes its folder (also run on the bench's exit). */
  stop(): void
}

/** The folder of initdb and pg_ctl (PG_BIN, or the newest /usr/lib/postgresql/<n>/bin), or null. */
export function findPgBin(): string | null {
  if (process.env.PG_BIN) return existsSync(join(process.env.PG_BIN, 'initdb')) ? process.env.PG_BIN : null
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(a) - Number(b))
  const newest = versions.at(-1)
  return newest ? join(root, newest, 'bin') : null
}

export async function startPostgres(bin: string): Promise<PgServer> {
  const root = process.getuid?.() === 0
  const asPg = (program: string, args: string[]) => (root ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args]) as [string, string[]]
  const run = (program: string, args: string[]) => {
    const [cmd, argv] = asPg(program, args)
    return execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
  }
  const dir = mkdtempSync(join(tmpdir(), 'fabrik-bench-pg-'))
  if (root) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()))
  const data = join(dir, 'data')
  let started = false
  const stop = () => {
    process.off('exit', stop)
    if (started) {
      const [cmd, argv] = asPg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'])
      const r = spawnSync(cmd, argv, { stdio: 'ignore' })
      if (r.status !== 0) {
        const [c2, a2] = asPg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
        spawnSync(c2, a2, { stdio: 'ignore' })
      }
      started = false
    }
    rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', stop)
  try {
    const port = await freePort()
    // C.UTF-8: byte order for ORDER BY, as SQLite's default (as pg-test.sh).
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync'])
    const options = [`-c listen_addresses=127.0.0.1`, `-c port=${port}`, `-c unix_socket_directories=${dir}`, '-c max_connections=100']
    started = true
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options.join(' '), '-w', '-t', '60', 'start'])
    const version = /\(PostgreSQL\) (\S+)/.exec(execFileSync(join(bin, 'postgres'), ['--version']).toString())?.[1] ?? '?'
    let pid: number | null = null
    try {
      pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
    } catch {
      // read as root from a folder of the postgres user: should not fail, but the pid is only informative
    }
    return { url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`, version, pid, stop }
  } catch (error) {
    const log = join(dir, 'server.log')
    const detail = existsSync(log) ? `\n${readFileSync(log, 'utf8').slice(-2000)}` : ''
    stop()
    throw new Error(`PostgreSQL did not start: ${error instanceof Error ? error.message : String(error)}${detail}`)
  }
}

/** CPU seconds used so far by the server's processes (postmaster and every backend): /proc, by parent pid. */
export function pgCpuSeconds(postmaster: number | null): number | null {
  if (postmaster === null) return null
  let total = 0
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue
      let stat: string
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      } catch {
        continue
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ppid = Number(fields[1])
      if (Number(entry) === postmaster || ppid === postmaster) total += (Number(fields[11]) + Number(fields[12])) / 100
    }
    return total
  } catch {
    return null
  }
}
