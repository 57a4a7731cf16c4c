import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'doit commencer par postgres://')
    .optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Fabrik <no-reply@localhost>'),
  SESSION_SECRET: z.string().min(32, 'au moins 32 caractères').optional(),
  TRUST_PROXY: z.string().min(1).optional(),
  REPLY_IMAP_URL: z.url({ protocol: /^imaps?$/ }).optional(),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  UNDO_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})

export interface Config {
  port: number
  host: string
  dataDir: string
  databaseUrl: string | null
  publicUrl: string
  smtpUrl: string | null
  mailFrom: string
  sessionSecret: string
  trustProxy: string | null
  /** The ORGANIZER mailbox where calendar replies arrive (replies/); null: they are not read. */
  replyImapUrl: string | null
  logLevel: string
  secureCookies: boolean
  /** Off only for benchmarks: login, token and form limits. */
  rateLimits: boolean
  /**
   * How long the messages of an action that can be undone ("Annuler la séance", "nouveau lien") wait in the
   * outbox before they leave (UNDO_GRACE_SECONDS, default 60): the facilitator's undo withdraws them unsent.
   */
  undoGraceSeconds: number
}

export class ConfigError extends Error {}

/** Parses the environment once. Throws ConfigError with one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = schema.safeParse(cleaned)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ConfigError(`Invalid configuration: ${String(issue.path[0])} ${issue.message}`)
  }
  const e = parsed.data
  const dataDir = resolve(e.DATA_DIR)
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '')
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? null,
    publicUrl,
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    sessionSecret: e.SESSION_SECRET ?? persistedSecret(dataDir),
    trustProxy: e.TRUST_PROXY ?? null,
    replyImapUrl: e.REPLY_IMAP_URL ?? null,
    logLevel: e.LOG_LEVEL,
    rateLimits: e.RATE_LIMITS === 'on',
    undoGraceSeconds: e.UNDO_GRACE_SECONDS,
    secureCookies: publicUrl.startsWith('https:'),
  }
}

/** A secret generated on first start and kept in DATA_DIR, so that no configuration is needed. */
function persistedSecret(dataDir: string): string {
  // The first thing to create DATA_DIR: the folder holds the database and this secret, its owner's alone.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, 'session-secret')
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' })
  else if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600) // left readable by hand or by an older version
  return readFileSync(file, 'utf8').trim()
}
