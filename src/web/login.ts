import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import { hashToken, randomToken } from './tokens.js'

// The HTTP login session of a facilitator ("session" is the monthly meeting). Server-side: the cookie holds
// a random token, the table holds its hash; logout deletes the row, so a copied cookie dies with it.

const LIFETIME_HOURS = 12

export interface LoginInfo {
  id: number
  facilitatorId: number
  name: string
  email: string
  platformIds: number[]
  /** Instance administrator: the "Plateformes" pages (web/guards.ts requireAdmin). */
  admin: boolean
  /** The open platforms they facilitate, by name: the header's switcher when there are several. */
  platforms: Array<{ slug: string; name: string }>
}

declare module 'fastify' {
  interface FastifyRequest {
    login: LoginInfo | null
  }
}

export function loginCookieName(ctx: AppContext): string {
  // The __Host- prefix requires Secure, so it is only used behind https.
  return ctx.config.secureCookies ? '__Host-fabrik_login' : 'fabrik_login'
}

export async function registerLogin(app: FastifyInstance, ctx: AppContext) {
  app.decorateRequest('login', null)
  // Without a promise when there is no cookie: most requests are anonymous visitors'.
  app.addHook('onRequest', (request, _reply, done) => {
    const raw = request.cookies[loginCookieName(ctx)]
    if (!raw) return done()
    findLogin(ctx, raw).then((login) => {
      request.login = login
      done()
    }, done)
  })
}

async function findLogin(ctx: AppContext, raw: string): Promise<LoginInfo | null> {
  const row = await ctx.db
    .selectFrom('login')
    .innerJoin('facilitator', 'facilitator.id', 'login.facilitator_id')
    .select(['login.id', 'login.facilitator_id', 'login.expires_at', 'facilitator.name', 'facilitator.email', 'facilitator.disabled_at', 'facilitator.admin'])
    .where('login.token_hash', '=', hashToken(raw))
    .executeTakeFirst()
  if (!row || row.disabled_at || row.expires_at <= ctx.clock().toISOString()) return null
  const platforms = await ctx.db
    .selectFrom('facilitator_platform')
    .innerJoin('platform', 'platform.id', 'facilitator_platform.platform_id')
    .select(['facilitator_platform.platform_id', 'platform.slug', 'platform.name', 'platform.archived_at'])
    .where('facilitator_id', '=', row.facilitator_id)
    .orderBy('platform.name')
    .execute()
  return {
    id: row.id,
    facilitatorId: row.facilitator_id,
    name: row.name,
    email: row.email,
    platformIds: platforms.map((p) => p.platform_id),
    admin: row.admin === 1,
    platforms: platforms.filter((p) => !p.archived_at).map((p) => ({ slug: p.slug, name: p.name })),
  }
}

/** Starts a fresh login (a new token every time: no session fixation) and sets the cookie. */
export async function startLogin(ctx: AppContext, reply: FastifyReply, facilitatorId: number): Promise<void> {
  const token = randomToken()
  const now = DateTime.fromJSDate(ctx.clock()).toUTC()
  await ctx.db
    .insertInto('login')
    .values({
      token_hash: hashToken(token),
      facilitator_id: facilitatorId,
      created_at: now.toISO()!,
      expires_at: now.plus({ hours: LIFETIME_HOURS }).toISO()!,
    })
    .execute()
  reply.setCookie(loginCookieName(ctx), token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.secureCookies,
    maxAge: LIFETIME_HOURS * 3600,
  })
}

export async function endLogin(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const raw = request.cookies[loginCookieName(ctx)]
  if (raw) await ctx.db.deleteFrom('login').where('token_hash', '=', hashToken(raw)).execute()
  reply.clearCookie(loginCookieName(ctx), { path: '/' })
}

/** Ends every login of an account (a password reset): each cookie of it opens nothing any more. */
export async function endLogins(db: AppContext['db'], facilitatorId: number): Promise<void> {
  await db.deleteFrom('login').where('facilitator_id', '=', facilitatorId).execute()
}

/** Forgets the logins past their end (the background job, about once a minute). */
export async function purgeExpiredLogins(db: AppContext['db'], now: Date): Promise<void> {
  await db.deleteFrom('login').where('expires_at', '<', now.toISOString()).execute()
}
