import { randomBytes } from 'node:crypto'
import { type ExpressionBuilder, sql } from 'kysely'
import { isPostgres } from '../db/index.js'
import type { Database, Db, OutboxRow, OutboxStatus } from '../db/schema.js'
import type { OutboxKind } from './kinds.js'

// The outbox: every email is a row written in the transaction of the change that causes it, then
// delivered by the worker (queued → sending → sent | failed; superseded when a newer message replaces it).

export interface NewMail {
  kind: OutboxKind
  platformId: number | null
  sessionId: number | null
  /** Who and what the message is about (e.g. `session:12:contact:7`): a newer one supersedes queued ones. */
  threadKey: string | null
  /** Enqueueing twice with the same key inserts once (reminders, re-runs). */
  dedupeKey?: string | null
  to: { name: string; email: string }
  subject: string
  text: string
  html: string
  ical?: { method: 'REQUEST' | 'CANCEL'; content: string } | null
}

/** Stop retrying after this many attempts: with retryDelaySeconds, about 46 hours after the first. */
export const MAX_ATTEMPTS = 9

const DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600]

/** Seconds to wait after the given number of failed attempts (1 → one minute … 8 and more → a day). */
export function retryDelaySeconds(attempts: number): number {
  const index = Math.min(Math.max(attempts, 1), DELAYS.length) - 1
  return DELAYS[index]!
}

export function shouldGiveUp(attempts: number): boolean {
  return attempts >= MAX_ATTEMPTS
}

export function addSeconds(iso: string, seconds: number): string {
  return new Date(Date.parse(iso) + seconds * 1000).toISOString()
}

/** The right-hand side of our Message-IDs: the public host name, never anything a header could break on. */
export function messageDomain(publicUrl: string): string {
  let host = 'localhost'
  try {
    host = new URL(publicUrl).hostname
  } catch {
    // keep localhost
  }
  return safeDomain(host)
}

function safeDomain(domain: string): string {
  return domain.replace(/[^A-Za-z0-9.-]/g, '') || 'localhost'
}

/** Returns the new row's id, or null when a row with the same dedupe key already exists. */
export async function enqueueMail(db: Db, mail: NewMail, now: string, domain: string): Promise<number | null> {
  // Random rather than derived from the id: stable for the row's life, and known before the insert.
  const messageId = `<outbox-${randomBytes(12).toString('hex')}@${safeDomain(domain)}>`
  const row = await db.insertInto('outbox')
    .values({
      kind: mail.kind,
      platform_id: mail.platformId,
      session_id: mail.sessionId,
      thread_key: mail.threadKey,
      dedupe_key: mail.dedupeKey ?? null,
      to_name: mail.to.name,
      to_email: mail.to.email,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      ical_method: mail.ical?.method ?? null,
      ical: mail.ical?.content ?? null,
      message_id: messageId,
      status: 'queued',
      attempts: 0,
      next_attempt_at: now,
      created_at: now,
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!row) return null
  if (mail.threadKey !== null) {
    // Research §4.4 item 6: a stale REQUEST must never go out after a newer REQUEST or CANCEL for the same
    // person and session — neither from the queue nor by "Renvoyer" on a failed one, so failed rows are
    // superseded too. Rows already sending or sent are left alone (a sent REQUEST still gets its CANCEL).
    await db.updateTable('outbox').set({ status: 'superseded', lease_until: null })
      .where('thread_key', '=', mail.threadKey).where('status', 'in', ['queued', 'failed']).where('id', '<', row.id)
      .execute()
  }
  return row.id
}

function isDue(now: string) {
  return (eb: ExpressionBuilder<Database, 'outbox'>) => eb.or([
    eb.and([eb('status', '=', 'queued'), eb('next_attempt_at', '<=', now)]),
    // A worker that claimed the row and died: its lease has run out.
    eb.and([eb('status', '=', 'sending'), eb('lease_until', '<', now)]),
  ])
}

/** Claims up to `limit` due rows for this worker: they become `sending` until the lease ends. */
export async function claimDue(db: Db, now: string, leaseSeconds: number, limit: number): Promise<OutboxRow[]> {
  const leaseUntil = addSeconds(now, leaseSeconds)
  // PostgreSQL runs several workers on separate connections: FOR UPDATE SKIP LOCKED makes concurrent
  // claims pass over each other's rows instead of waiting for them or returning them twice. SQLite has a
  // single writer at a time, so the one UPDATE … RETURNING statement is already atomic (and it has no
  // FOR UPDATE).
  const due = isPostgres(db)
    ? db.selectFrom('outbox').select('id').where(isDue(now)).orderBy('id').limit(limit).forUpdate().skipLocked()
    : db.selectFrom('outbox').select('id').where(isDue(now)).orderBy('id').limit(limit)
  const rows = await db.updateTable('outbox')
    .set({ status: 'sending', lease_until: leaseUntil })
    .where('id', 'in', due)
    .returningAll()
    .execute()
  return rows.sort((a, b) => a.id - b.id)
}

// The marks only touch a row this worker still holds (status `sending`).

/** `_response` (the server's 250 line) is logged by the worker: the outbox has no column for it. */
export async function markSent(db: Db, id: number, now: string, _response: string): Promise<void> {
  await db.updateTable('outbox')
    .set({ status: 'sent', sent_at: now, lease_until: null, attempts: sql<number>`attempts + 1`, last_error: null })
    .where('id', '=', id).where('status', '=', 'sending')
    .execute()
}

export async function markRetry(db: Db, id: number, attempts: number, nextAt: string, error: string): Promise<void> {
  await db.updateTable('outbox')
    .set({ status: 'queued', attempts, next_attempt_at: nextAt, lease_until: null, last_error: error })
    .where('id', '=', id).where('status', '=', 'sending')
    .execute()
}

export async function markFailed(db: Db, id: number, error: string): Promise<void> {
  await db.updateTable('outbox')
    .set({ status: 'failed', attempts: sql<number>`attempts + 1`, lease_until: null, last_error: error })
    .where('id', '=', id).where('status', '=', 'sending')
    .execute()
}

/** Gives claimed rows back without counting an attempt (the server is unreachable: no use trying them now). */
export async function postpone(db: Db, ids: number[], nextAt: string): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('outbox')
    .set({ status: 'queued', next_attempt_at: nextAt, lease_until: null })
    .where('id', 'in', ids).where('status', '=', 'sending')
    .execute()
}

/**
 * The "Renvoyer" button: a failed message goes back to the queue with a fresh set of attempts — unless a
 * newer message of its thread exists or its content was purged, checked in the same statement as the
 * change, so that a newer message queued meanwhile still wins. (Whether its session still says what the
 * message says is asked before, by the Courriers page: see resend.ts.)
 */
export async function requeue(db: Db, id: number, now: string): Promise<boolean> {
  const result = await db.updateTable('outbox')
    .set({ status: 'queued', attempts: 0, next_attempt_at: now, lease_until: null })
    .where('id', '=', id).where('status', '=', 'failed').where('text_body', '!=', PURGED_TEXT)
    .where((eb) => eb.not(eb.exists(newerInThread(eb))))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

function newerInThread(eb: ExpressionBuilder<Database, 'outbox'>) {
  return eb.selectFrom('outbox as newer').select('newer.id')
    .whereRef('newer.thread_key', '=', 'outbox.thread_key').whereRef('newer.id', '>', 'outbox.id')
}

/** Has a newer message replaced this one for the same person and subject (its thread)? */
export async function hasNewerInThread(db: Db, row: Pick<OutboxRow, 'id' | 'thread_key'>): Promise<boolean> {
  if (row.thread_key === null) return false
  const newer = await db.selectFrom('outbox').select('id').where('thread_key', '=', row.thread_key).where('id', '>', row.id).limit(1).executeTakeFirst()
  return newer !== undefined
}

/** Is a message of this thread still waiting to leave (the next one queued will replace it)? */
export async function threadQueued(db: Db, threadKey: string): Promise<boolean> {
  const row = await db.selectFrom('outbox').select('id').where('thread_key', '=', threadKey).where('status', '=', 'queued').executeTakeFirst()
  return row !== undefined
}

/**
 * How long a message keeps its content (text, HTML, calendar part) once it has left, failed or been
 * replaced; the row itself stays, for the history (to whom, subject, state, dates): 90 days (tracker 22).
 */
export const BODY_RETENTION_DAYS = 90

/** A purged row's text: a real message always has some text (compose.ts tidyText ends it with a newline). */
export const PURGED_TEXT = ''

export function isPurged(row: Pick<OutboxRow, 'text_body'>): boolean {
  return row.text_body === PURGED_TEXT
}

/** Empties the content of the messages done with before `before`; returns those rows (id and kind). */
export async function purgeBodies(db: Db, before: string): Promise<Array<Pick<OutboxRow, 'id' | 'kind'>>> {
  return db.updateTable('outbox')
    .set({ text_body: PURGED_TEXT, html_body: '', ical: null })
    .where('status', 'in', ['sent', 'failed', 'superseded']).where('created_at', '<', before).where('text_body', '!=', PURGED_TEXT)
    .returning(['id', 'kind'])
    .execute()
}

export function listOutbox(db: Db, platformId: number, opts: { limit: number; offset: number; status?: OutboxStatus }) {
  let q = db.selectFrom('outbox')
    .select(['id', 'kind', 'session_id', 'to_name', 'to_email', 'subject', 'ical_method', 'status', 'attempts',
      'next_attempt_at', 'last_error', 'sent_at', 'created_at'])
    .select(sql<number>`case when text_body = '' then 1 else 0 end`.as('purged'))
    .where('platform_id', '=', platformId)
  if (opts.status) q = q.where('status', '=', opts.status)
  return q.orderBy('id', 'desc').limit(opts.limit).offset(opts.offset).execute()
}

export function findOutbox(db: Db, platformId: number, id: number) {
  return db.selectFrom('outbox').selectAll().where('platform_id', '=', platformId).where('id', '=', id).executeTakeFirst()
}

export const OUTBOX_STATUSES: OutboxStatus[] = ['queued', 'sending', 'sent', 'failed', 'superseded']

export async function outboxCounts(db: Db, platformId: number): Promise<Record<OutboxStatus, number> & { total: number }> {
  const rows = await db.selectFrom('outbox')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('platform_id', '=', platformId)
    .groupBy('status')
    .execute()
  const counts = { queued: 0, sending: 0, sent: 0, failed: 0, superseded: 0, total: 0 }
  for (const r of rows) {
    counts[r.status] = Number(r.n)
    counts.total += Number(r.n)
  }
  return counts
}
