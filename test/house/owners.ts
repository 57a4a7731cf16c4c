// Who owns each table: the one folder of src/ whose files may write it (insert, update, delete), as the README's
// table of owners says. owners.test.ts compares this map with src/db/schema.ts's Database and scans src/ for
// writes and reads: a new table needs a line here, a write from another folder needs a move to the owner's
// store (or, rarely, a documented exception below, with its reason).
//
// Folders are src/'s first-level folders ('web', 'mail', 'platforms'…); '' is a file at src/'s root.

export const OWNERS: Record<string, string> = {
  platform: 'platforms',
  facilitator: 'platforms',
  facilitator_platform: 'platforms',
  facilitator_token: 'platforms',
  facilitator_totp: 'platforms',
  facilitator_recovery_code: 'platforms',
  commune: 'platforms',
  venue: 'platforms',
  login: 'web',
  rate_limit: 'web',
  retired_link: 'web',
  // Raised by triggers only (web/page-cache.ts reads it): no file of src/ writes it.
  content_version: 'web',
  session: 'sessions',
  agenda_item: 'sessions',
  session_alias: 'sessions',
  holder: 'pitches',
  initiative: 'pitches',
  initiative_holder: 'pitches',
  pitch: 'pitches',
  partner: 'partners',
  contact: 'partners',
  invitation: 'partners',
  advice: 'partners',
  attendance: 'record',
  pitch_record: 'record',
  minutes_draft: 'minutes',
  minutes_pitch_text: 'minutes',
  minutes_version: 'minutes',
  referral: 'referrals',
  referral_event: 'referrals',
  calendar_reply: 'replies',
  calendar_reply_state: 'replies',
  target: 'indicators',
  audit_event: 'audit',
  retention_run: 'privacy',
  outbox: 'mail',
}

export interface Exception {
  /** A file of src/, as 'privacy/erase.ts'. */
  file: string
  /** The tables it may write (or read) outside their owner; '*' for a table name the code computes. */
  tables: string[] | '*'
  reason: string
}

/** Files that write another folder's tables, and why. */
export const WRITE_EXCEPTIONS: Exception[] = [
  {
    file: 'privacy/erase.ts', tables: '*',
    reason: "RGPD erasure on request: writes every owner's rows only through the one map of privacy/tables.ts, column by column (its header says how an owner takes it back).",
  },
  {
    file: 'db/copy.ts', tables: '*',
    reason: 'SQLite → PostgreSQL copy (npm run db:copy): copies every table row for row, on an empty target; no feature runs.',
  },
  {
    file: 'demo/seed.ts', tables: ['platform'],
    reason: "The demo platform with the columns the administrator's form does not set (video link, phone, booking defaults); only npm run seed:demo.",
  },
  {
    file: 'demo/luxembourg.ts', tables: ['platform'],
    reason: "The second demo platform's video link and phone, which insertPlatform (the administrator's form) does not set; only npm run seed:demo.",
  },
]

/**
 * Files that are not read-only query modules (see READ_MODULE) but select from another folder's table, and why.
 * Joins are checked apart: a join may name a table of a floor the folder may import (eslint.config.js).
 */
export const READ_EXCEPTIONS: Exception[] = [
  {
    file: 'web/login.ts', tables: ['facilitator', 'facilitator_platform', 'platform'],
    reason: 'The HTTP login resolves who is logged in and which platforms they run on every request: web/ keeps the cookie mechanics, platforms/ writes these rows.',
  },
  {
    file: 'audit/store.ts', tables: ['facilitator'],
    reason: "The trail names the acting facilitator (a left join on the id it stores); audit/ imports no feature.",
  },
  {
    file: 'privacy/whose.ts', tables: '*',
    reason: "Finds one person's rows in every table by privacy/tables.ts's map (export and erasure); privacy/ is the top floor.",
  },
  {
    file: 'privacy/retention.ts', tables: '*',
    reason: 'Finds who had no activity for the retention period across the tables that hold people; privacy/ is the top floor.',
  },
  {
    file: 'privacy/export.ts', tables: ['audit_event'],
    reason: "A person's export includes what the audit trail holds about them; privacy/ is the top floor (audit/ has no export function yet).",
  },
  {
    file: 'privacy/retention-mail.ts', tables: ['facilitator'],
    reason: "The retention job's notice goes to the platform's facilitators; privacy/ is the top floor (platforms/ could hand a facilitatorsOf).",
  },
]

/**
 * The rule for the name of a read-only query module: `reads.ts`, `queries.ts`, `lookups.ts` or `<what>-query.ts`.
 * Such a file may select from any folder's tables, and writes nothing at all.
 */
export const READ_MODULE = /(^|\/)(reads|queries|lookups|[a-z-]+-query)\.ts$/
