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
/** Rows claimed at a time: with the pool's connections sending side by side, a batch with slow timeouts still ends within the lease. */
const BATCH = 50

// These mean the server could not be reached at all: the rest of the batch would wait for the same
// timeouts, so it is put back without spending an attempt.
const UNREACHABLE = new Set(['ECONNECTION', 'ECONNREFUSED', 'ETIMEDOUT', 'ESOCKET', 'EDNS'])

function unreachable(err: unknown): boolean {
  const e = err as { code?: string; responseCode?: number }
  // 421: the server is closing the connection (busy, shutting down) before taking anything.
  return (e?.code !== undefined && UNREACHABLE.has(e.code)) || e?.responseCode === 421
}

type Attempt = { ok: true; response: string } | { ok: false; error: unknown }

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

/**
 * Group commit of the 250s: the rows accepted while the previous write was running are marked sent together,
 * in one transaction (one disk flush on SQLite for many messages, not one each). A crash before the write
 * sends those few again, with the same Message-ID: delivery stays at least once.
 */
function sentMarks(ctx: AppContext, log?: WorkerLog) {
  let waiting: Array<{ row: OutboxRow; response: string }> = []
  let writing: Promise<void> = Promise.resolve()
  let failure: unknown = null
  const flush = async () => {
    const group = waiting
    waiting = []
    if (group.length === 0) return
    const now = ctx.clock().toISOString()
    try {
      await ctx.db.transaction().execute(async (trx) => {
        for (const { row, response } of group) await markSent(trx, row.id, now, response)
      })
    } catch (error) {
      // Left `sending`: the lease brings them back. The round reports the error once every send has settled.
      failure ??= error
      return
    }
    for (const { row, response } of group) log?.info({ outbox: row.id, kind: row.kind, response }, 'mail sent')
  }
  return {
    add(row: OutboxRow, response: string) {
      waiting.push({ row, response })
      if (waiting.length === 1) writing = writing.then(flush)
    },
    async done() {
      await writing
      if (failure) throw failure
    },
  }
}

/** One batch: claims up to `limit` due rows and delivers them; `claimed` says whether the queue may hold more. */
async function deliverBatch(ctx: AppContext, transport: MailTransport, now: Date, log: WorkerLog | undefined, limit: number) {
  const result: DeliveryResult = { sent: 0, retried: 0, failed: 0 }
  const rows = await claimDue(ctx.db, now.toISOString(), LEASE_SECONDS, limit)
  // Sends run `width` at a time, keeping the pool's connections busy; a recipient's messages still leave one
  // after the other, in id order. Outcomes are recorded in id order too.
  const width = Math.max(1, transport.concurrency ?? 1)
  const attempts: Array<Promise<Attempt> | undefined> = []
  const previous = new Map<string, Promise<unknown>>()
  let launched = 0
  // Set as soon as a send finds the server unreachable: nothing more is handed to it in this batch.
  let unreachableSeen = false
  const launch = () => {
    if (unreachableSeen || launched >= rows.length) return
    const row = rows[launched]!
    const before = previous.get(row.to_email) ?? Promise.resolve()
    const attempt: Promise<Attempt> = before.then(async () => {
      try {
        // The personal links are written in here, as the message leaves: the outbox holds references only.
        return { ok: true as const, response: (await transport.send(withLinks(row, ctx.config))).response }
      } catch (error) {
        if (unreachable(error)) unreachableSeen = true
        return { ok: false as const, error }
      }
    })
    attempts[launched++] = attempt
    previous.set(row.to_email, attempt)
    void attempt.then(launch)
  }
  for (let i = 0; i < width; i++) launch()

  const marks = sentMarks(ctx, log)
  // The server could not be reached: the first such failure spends an attempt, the rest of the batch is put
  // back without (the others would wait for the same timeouts).
  let downUntil: string | null = null
  const postponed: number[] = []
  try {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!
      const attempt = attempts[i]
      if (!attempt) {
        postponed.push(row.id)
        continue
      }
      const done = await attempt
      if (done.ok) {
        // Outside the send's try: a database error here must not be mistaken for a refused message.
        marks.add(row, done.response)
        result.sent++
      } else if (downUntil !== null && unreachable(done.error)) {
        postponed.push(row.id)
      } else {
        const failed = await recordFailure(ctx, row, done.error, log)
        result[failed.outcome]++
        // Its last attempt given up, the server is still down for the others: they wait the first retry's delay.
        if (unreachable(done.error)) downUntil = failed.nextAt ?? addSeconds(ctx.clock().toISOString(), retryDelaySeconds(1))
      }
    }
  } finally {
    await Promise.allSettled(attempts)
    await marks.done()
  }
  if (postponed.length > 0) await postpone(ctx.db, postponed, downUntil!)
  return { result, full: rows.length === limit && downUntil === null }
}

/** One batch (as of `now`, default ctx.clock()): claims the due rows and delivers them. */
export async function deliverDue(ctx: AppContext, transport: MailTransport, now?: Date, log?: WorkerLog): Promise<DeliveryResult> {
  return (await deliverBatch(ctx, transport, now ?? ctx.clock(), log, BATCH)).result
}

/** Batch after batch while the queue has due rows (a full batch), then returns what was delivered. */
async function drain(ctx: AppContext, transport: MailTransport, log: WorkerLog, stopped: () => boolean): Promise<number> {
  let sent = 0
  for (;;) {
    const batch = await deliverBatch(ctx, transport, ctx.clock(), log, BATCH)
    sent += batch.result.sent
    if (!batch.full || stopped()) return sent
  }
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
      // An invitation to everyone leaves in one round, not one batch per beat.
      return await drain(ctx, transport, opts.log, () => stopped)
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
