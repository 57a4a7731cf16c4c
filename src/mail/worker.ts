import type { AppContext } from '../context.js'
import type { OutboxRow } from '../db/schema.js'
import { withLinks } from './links.js'
import { addSeconds, claimDue, markFailed, markRetry, markSent, postpone, retryDelaySeconds, shouldGiveUp } from './outbox.js'
import { createTransport, describeError, isPermanent, type MailTransport } from './transport.js'

// Background delivery, beside the web app and never inside a request: claim due rows, send each one
// outside any transaction, record the outcome. Delivery is at least once (a crash between the server's
// 250 and markSent sends again, with the same Message-ID).

export interface WorkerLog {
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
}

export interface DeliveryResult {
  sent: number
  retried: number
  failed: number
}

/** Long enough for a batch with slow timeouts; a dead worker's rows come back after it. */
export const LEASE_SECONDS = 120
const BATCH = 20

// These mean the server could not be reached at all: the rest of the batch would wait for the same
// timeouts, so it is put back without spending an attempt.
const UNREACHABLE = new Set(['ECONNECTION', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKET', 'EDNS'])

function unreachable(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number }
  // 421: the server is closing the connection (busy, shutting down) before taking anything.
  return (e?.code !== undefined && UNREACHABLE.has(e.code)) || e?.responseCode === 421
}

type Outcome = 'sent' | 'retried' | 'failed'

async function deliverOne(ctx: AppContext, transport: MailTransport, row: OutboxRow, log?: WorkerLog): Promise<{ outcome: Outcome; error?: unknown; nextAt?: string }> {
  let response: string
  try {
    // The personal links are written in here, as the message leaves: the outbox holds references only.
    response = (await transport.send(withLinks(row, ctx.config))).response
  } catch (error) {
    return recordFailure(ctx, row, error, log)
  }
  // Outside the try: a database error here must not be mistaken for a refused message.
  await markSent(ctx.db, row.id, ctx.clock().toISOString(), response)
  log?.info({ outbox: row.id, kind: row.kind, response }, 'mail sent')
  return { outcome: 'sent' }
}

async function recordFailure(ctx: AppContext, row: OutboxRow, error: unknown, log?: WorkerLog) {
  const attempts = row.attempts + 1
  const message = describeError(error)
  if (isPermanent(error) || shouldGiveUp(attempts)) {
    await markFailed(ctx.db, row.id, message)
    log?.error({ outbox: row.id, kind: row.kind, attempts, error: message }, 'mail failed')
    return { outcome: 'failed' as const, error }
  }
  const nextAt = addSeconds(ctx.clock().toISOString(), retryDelaySeconds(attempts))
  await markRetry(ctx.db, row.id, attempts, nextAt, message)
  log?.warn({ outbox: row.id, kind: row.kind, attempts, nextAt, error: message }, 'mail will be retried')
  return { outcome: 'retried' as const, error, nextAt }
}

/** One round: claims the due rows (as of `now`, default ctx.clock()) and delivers them one by one. */
export async function deliverDue(ctx: AppContext, transport: MailTransport, now?: Date, log?: WorkerLog): Promise<DeliveryResult> {
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 }
  const rows = await claimDue(ctx.db, (now ?? ctx.clock()).toISOString(), LEASE_SECONDS, BATCH)
  for (let i = 0; i < rows.length; i++) {
    const done = await deliverOne(ctx, transport, rows[i]!, log)
    result[done.outcome]++
    if (done.outcome === 'retried' && unreachable(done.error)) {
      await postpone(ctx.db, rows.slice(i + 1).map((r) => r.id), done.nextAt!)
      break
    }
  }
  return result
}

export interface MailWorker {
  stop(): Promise<void>
  /** Runs one round now (after the current one, never beside it); resolves with the number of messages sent. */
  runOnce(): Promise<number>
}

export function startMailWorker(
  ctx: AppContext,
  opts: { log: WorkerLog; intervalMs?: number; onTick?: (ctx: AppContext) => Promise<void>; transport?: MailTransport },
): MailWorker {
  const transport = opts.transport ?? createTransport(ctx.config)
  const interval = opts.intervalMs ?? 2000
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  let current: Promise<number> = Promise.resolve(0)

  async function round(): Promise<number> {
    if (opts.onTick) {
      try {
        await opts.onTick(ctx)
      } catch (error) {
        opts.log.error({ err: error }, 'mail worker tick failed')
      }
    }
    try {
      return (await deliverDue(ctx, transport, undefined, opts.log)).sent
    } catch (error) {
      // The database may be briefly busy or down: the next round tries again.
      opts.log.error({ err: error }, 'mail delivery round failed')
      return 0
    }
  }

  // Rounds are chained: a new one starts only after the previous one has finished.
  function enqueueRound(): Promise<number> {
    current = current.then(round, round)
    return current
  }

  function schedule(delay: number) {
    if (stopped) return
    timer = setTimeout(() => {
      timer = null
      void enqueueRound().finally(() => schedule(interval))
    }, delay)
  }

  schedule(0)
  opts.log.info({ mode: transport.mode, intervalMs: interval }, 'mail worker started')

  return {
    runOnce: () => enqueueRound(),
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      timer = null
      await current.catch(() => 0)
      await transport.close()
    },
  }
}
