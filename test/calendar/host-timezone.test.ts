// Re-runs the calendar tests under other host time zones: the modules must
// never read the host zone, and a passing suite in Paris proves nothing.
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FILES = ['test/calendar/recurrence.test.ts', 'test/calendar/zoned.test.ts', 'test/calendar/holidays.test.ts']
// Kiritimati is UTC+14, Los Angeles is negative and has its own DST dates:
// together they catch local-getter and local-midnight mistakes both ways.
const ZONES = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles']
// Set in the children so that they never spawn again.
const IS_CHILD = process.env.FABRIK_TZ_CHILD === '1'

function run(file: string, args: string[], tz: string): { status: number; output: string } {
  try {
    const output = execFileSync(file, args, {
      cwd: ROOT,
      env: { ...process.env, TZ: tz, FABRIK_TZ_CHILD: '1', NO_COLOR: '1' },
      encoding: 'utf8',
      stdio: 'pipe',
    })
    return { status: 0, output }
  } catch (error) {
    const e = error as { status?: number | null; stdout?: string; stderr?: string }
    return { status: e.status ?? -1, output: `${e.stdout ?? ''}\n${e.stderr ?? ''}` }
  }
}

describe.skipIf(IS_CHILD)('host-timezone independence', () => {
  it.each(ZONES)('the child process really runs in %s', (tz) => {
    // A 2026 date: Kiritimati was UTC-10:40 in 1970, before its 1995 switch.
    const expected: Record<string, string> = { UTC: '0', 'Pacific/Kiritimati': '-840', 'America/Los_Angeles': '480' }
    const script = 'console.log(new Date(Date.UTC(2026, 0, 15)).getTimezoneOffset())'
    const { status, output } = run(process.execPath, ['-e', script], tz)
    expect(status).toBe(0)
    expect(output.trim()).toBe(expected[tz])
  })

  it.each(ZONES)('calendar tests pass with TZ=%s', (tz) => {
    const { status, output } = run('npx', ['vitest', 'run', ...FILES], tz)
    expect(status, output).toBe(0)
  }, 120_000)
})
