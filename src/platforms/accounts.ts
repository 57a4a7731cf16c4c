import type { Eta } from 'eta'
import { DateTime } from 'luxon'
import { singleLine } from '../calendar/sanitise.js'
import type { AppContext } from '../context.js'
import type { Db } from '../db/schema.js'
import { headerSafe, tidyText } from '../mail/compose.js'
import type { AccountMailKind } from '../mail/kinds.js'
import { linkRef } from '../mail/links.js'
import { enqueueMail, messageDomain } from '../mail/outbox.js'
import { hashToken, looksLikeToken, personalToken, randomToken } from '../web/tokens.js'

// One-time links of facilitator accounts (facilitator_token): "Mot de passe oublié" (1 hour) and a colleague's
// invitation to a platform (7 days). The token is an HMAC of the row (web/tokens.ts), only its SHA-256 is
// stored, and the mail keeps a reference written out as it leaves (mail/links.ts): nothing in the database
// opens the account. A link answers 404 when unknown, 410 once used or past its end.

export type AccountTokenPurpose = 'reset' | 'invitation'

export const TOKEN_HOURS: Record<AccountTokenPurpose, number> = { reset: 1, invitation: 7 * 24 }

const TOKEN_PURPOSE = { reset: 'facilitator-reset', invitation: 'facilitator-invitation' } as const

export type TokenState = 'unknown' | 'used' | 'expired' | 'valid'

/** What a looked-up token row allows, at `now` (ISO). */
export function tokenState(row: { used_at: string | null; expires_at: string } | undefined, now: string): TokenState {
  if (!row) return 'unknown'
  if (row.used_at !== null) return 'used'
  if (row.expires_at <= now) return 'expired'
  return 'valid'
}

export interface NewAccountToken {
  purpose: AccountTokenPurpose
  facilitatorId: number | null
  platformId: number | null
  email: string
  name: string
  invitedBy?: number | null
}

/** Inserts the row (its hash is the HMAC of its own id) and returns its id. */
export async function createAccountToken(db: Db, secret: string, input: NewAccountToken, now: Date): Promise<number> {
  const start = DateTime.fromJSDate(now).toUTC()
  const row = await db.insertInto('facilitator_token').values({
    purpose: input.purpose,
    facilitator_id: input.facilitatorId,
    platform_id: input.platformId,
    email: input.email,
    name: input.name,
    invited_by: input.invitedBy ?? null,
    // A placeholder until the id is known: random, so it never opens anything.
    token_hash: hashToken(randomToken()),
    created_at: start.toISO()!,
    expires_at: start.plus({ hours: TOKEN_HOURS[input.purpose] }).toISO()!,
  }).returning('id').executeTakeFirstOrThrow()
  await db.updateTable('facilitator_token')
    .set({ token_hash: hashToken(personalToken(secret, TOKEN_PURPOSE[input.purpose], row.id)) })
    .where('id', '=', row.id).execute()
  return row.id
}

/** The row a token opens, of this purpose (undefined when unknown or malformed). */
export async function findAccountToken(db: Db, purpose: AccountTokenPurpose, token: string) {
  if (!looksLikeToken(token)) return undefined
  return db.selectFrom('facilitator_token').selectAll()
    .where('token_hash', '=', hashToken(token)).where('purpose', '=', purpose)
    .executeTakeFirst()
}

/** Marks the link used; false when another request used it first. */
export async function useAccountToken(db: Db, id: number, now: string): Promise<boolean> {
  const result = await db.updateTable('facilitator_token').set({ used_at: now })
    .where('id', '=', id).where('used_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Every still-open reset link of the account ends with a successful reset. */
export async function endResetTokens(db: Db, facilitatorId: number, now: string): Promise<void> {
  await db.updateTable('facilitator_token').set({ used_at: now })
    .where('facilitator_id', '=', facilitatorId).where('purpose', '=', 'reset').where('used_at', 'is', null).execute()
}

export function setPassword(db: Db, facilitatorId: number, passwordHash: string) {
  return db.updateTable('facilitator').set({ password_hash: passwordHash }).where('id', '=', facilitatorId).execute()
}

const SUBJECTS: Record<AccountMailKind, (d: { platformName: string }) => string> = {
  'facilitator.reset': (d) => `Changer votre mot de passe – ${d.platformName}`,
  'facilitator.invitation': (d) => `Invitation à animer ${d.platformName}`,
}

export interface AccountMailData {
  recipientName: string
  platformName: string
  /** The link, as a reference (links.ts linkRef): written out only as the message leaves. */
  link: string
  inviterName?: string
}

export function renderAccountMail(views: Eta, kind: AccountMailKind, data: AccountMailData) {
  const clean = {
    ...data,
    recipientName: singleLine(data.recipientName),
    platformName: singleLine(data.platformName),
    inviterName: singleLine(data.inviterName ?? ''),
    contactEmail: null,
  }
  const subject = headerSafe(SUBJECTS[kind](clean))
  const it = { ...clean, kind, subject }
  return { subject, text: tidyText(views.render(`mail/${kind}.txt.eta`, it)), html: views.render(`mail/${kind}.html.eta`, it) }
}

/** Queues the mail carrying the token row's link (in the caller's transaction). */
export async function queueAccountMail(ctx: AppContext, db: Db, tokenId: number, kind: AccountMailKind, data: Omit<AccountMailData, 'link'> & { email: string }) {
  const purpose = kind === 'facilitator.reset' ? 'facilitator-reset' : 'facilitator-invitation'
  const link = linkRef(ctx.config.sessionSecret, { purpose, id: tokenId, version: 0 }, data.email)
  const mail = renderAccountMail(ctx.views, kind, { ...data, link })
  await enqueueMail(db, {
    kind,
    // Never on a platform's Courriers page: the link opens an account.
    platformId: null,
    sessionId: null,
    threadKey: null,
    to: { name: data.recipientName, email: data.email },
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
  }, ctx.clock().toISOString(), messageDomain(ctx.config.publicUrl))
}

// The team of a platform (facilitator_platform): who runs it, invitations waiting, removal (never the last).

export function teamOf(db: Db, platformId: number) {
  return db.selectFrom('facilitator_platform').innerJoin('facilitator', 'facilitator.id', 'facilitator_platform.facilitator_id')
    .select(['facilitator.id', 'facilitator.name', 'facilitator.email', 'facilitator.disabled_at'])
    .where('facilitator_platform.platform_id', '=', platformId).orderBy('facilitator.name').orderBy('facilitator.id').execute()
}

/** Invitations to the platform still open at `now`. */
export function openInvitations(db: Db, platformId: number, now: string) {
  return db.selectFrom('facilitator_token').select(['id', 'name', 'email', 'expires_at'])
    .where('platform_id', '=', platformId).where('purpose', '=', 'invitation').where('used_at', 'is', null).where('expires_at', '>', now)
    .orderBy('id').execute()
}

export async function joinPlatform(db: Db, facilitatorId: number, platformId: number): Promise<void> {
  await db.insertInto('facilitator_platform').values({ facilitator_id: facilitatorId, platform_id: platformId })
    .onConflict((oc) => oc.columns(['facilitator_id', 'platform_id']).doNothing()).execute()
}

export type RemoveResult = 'removed' | 'not-member' | 'last'

/** Takes a facilitator off a platform, never its last one: one statement, so two removals cannot empty it. */
export async function leavePlatform(db: Db, facilitatorId: number, platformId: number): Promise<RemoveResult> {
  const team = await db.selectFrom('facilitator_platform').select('facilitator_id').where('platform_id', '=', platformId).execute()
  const decision = removalDecision(team.map((r) => r.facilitator_id), facilitatorId)
  if (decision !== 'removed') return decision
  const result = await db.deleteFrom('facilitator_platform').where('platform_id', '=', platformId).where('facilitator_id', '=', facilitatorId)
    .where((eb) => eb.exists(eb.selectFrom('facilitator_platform as other').select('other.facilitator_id')
      .where('other.platform_id', '=', platformId).where('other.facilitator_id', '<>', facilitatorId)))
    .executeTakeFirst()
  return Number(result.numDeletedRows) === 1 ? 'removed' : 'last'
}

/** Whether `facilitatorId` may leave a team of `team` (facilitator ids). */
export function removalDecision(team: number[], facilitatorId: number): RemoveResult {
  if (!team.includes(facilitatorId)) return 'not-member'
  return team.length <= 1 ? 'last' : 'removed'
}

/** A new facilitator account on a platform (an accepted invitation), in the caller's transaction. */
export async function createFacilitatorAccount(db: Db, input: { email: string; name: string; passwordHash: string; platformId: number; now: string }): Promise<number> {
  const { id } = await db.insertInto('facilitator')
    .values({ email: input.email.trim().toLowerCase(), name: input.name, password_hash: input.passwordHash, created_at: input.now })
    .returning('id').executeTakeFirstOrThrow()
  await joinPlatform(db, id, input.platformId)
  return id
}

// Accounts as the instance administrators see them (admin/accounts-routes.ts), and the administrator role.

export function findFacilitatorById(db: Db, id: number) {
  return db.selectFrom('facilitator').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listAccounts(db: Db) {
  return db.selectFrom('facilitator').select(['id', 'name', 'email', 'admin', 'disabled_at']).orderBy('name').orderBy('id').execute()
}

export type RoleResult = 'changed' | 'unchanged' | 'last-admin'

/**
 * Gives or takes the administrator role. Never takes it from the last administrator: one statement, so two
 * demotions at once cannot leave the instance without one.
 */
export async function setAdminRole(db: Db, facilitatorId: number, admin: boolean): Promise<RoleResult> {
  if (admin) {
    const result = await db.updateTable('facilitator').set({ admin: 1 }).where('id', '=', facilitatorId).where('admin', '=', 0).executeTakeFirst()
    return Number(result.numUpdatedRows) === 1 ? 'changed' : 'unchanged'
  }
  const current = await findFacilitatorById(db, facilitatorId)
  if (!current || current.admin !== 1) return 'unchanged'
  const result = await db.updateTable('facilitator').set({ admin: 0 })
    .where('id', '=', facilitatorId).where('admin', '=', 1)
    .where((eb) => eb.exists(eb.selectFrom('facilitator as other').select('other.id')
      .where('other.admin', '=', 1).where('other.id', '<>', facilitatorId).where('other.disabled_at', 'is', null)))
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1 ? 'changed' : 'last-admin'
}

/** The names of the platforms of every account (archived ones included), by account id. */
export async function accountPlatforms(db: Db): Promise<Map<number, string[]>> {
  const rows = await db.selectFrom('facilitator_platform').innerJoin('platform', 'platform.id', 'facilitator_platform.platform_id')
    .select(['facilitator_platform.facilitator_id', 'platform.name']).orderBy('platform.name').execute()
  const out = new Map<number, string[]>()
  for (const r of rows) out.set(r.facilitator_id, [...(out.get(r.facilitator_id) ?? []), r.name])
  return out
}
