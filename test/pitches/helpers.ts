import type { FastifyInstance } from 'fastify'
import type { Db, OutboxRow, Platform } from '../../src/db/schema.js'
import { withLinks } from '../../src/mail/links.js'
import { Client } from '../helpers/app.js'
import { aCommune, aSession, outboxRows } from '../helpers/factories.js'

export const bookingFields = (n: number | string, extra: Record<string, string | string[]> = {}) => ({
  holder_name: `Porteur ${n}`, holder_email: `porteur${n}@example.org`, holder_phone: '', holder_kind: 'resident', commune: 'Harnes',
  initiative_title: `Jardin partagé ${n}`, initiative_summary: 'Un jardin au pied des immeubles, avec les voisins.', domain: 'environnement',
  needs: ['local', 'benevoles'], stage: 'idee', attendance: 'on_site', consent: 'yes', ...extra,
})

/** A published session (default 2026-12-18, 09:00–12:00) on a platform with the commune Harnes. */
export async function publishedSession(db: Db, platform: Platform, date = '2026-12-18') {
  await aCommune(db, platform)
  return aSession(db, platform, { date })
}

export const outbox = outboxRows
export const pitches = (db: Db) => db.selectFrom('pitch').selectAll().orderBy('id').execute()

/** A message's text as it leaves the outbox, with its working links (mail/links.ts keeps references). */
export const sentText = (app: FastifyInstance, row: OutboxRow) => withLinks(row, app.ctx.config).text_body

/** The confirmation link of the last confirmation email sent to `email` (path only). */
export async function confirmationLink(app: FastifyInstance, db: Db, email: string): Promise<string> {
  const row = await db.selectFrom('outbox').selectAll().where('to_email', '=', email).where('kind', '=', 'pitch.verify').orderBy('id', 'desc').executeTakeFirstOrThrow()
  const m = /http:\/\/fabrik\.test(\/pitch\/[A-Za-z0-9_-]{43})\b/.exec(sentText(app, row))
  if (!m) throw new Error(`no confirmation link in the email to ${email}`)
  return m[1]!
}

/**
 * Books through the public form, then does what the holder does with the email: opens its link and
 * presses "Confirmer ma réservation". Returns the form's answer (the holder's page, for a new address).
 */
export async function bookConfirmed(app: FastifyInstance, db: Db, form: string, fields: Record<string, string | string[]>, remoteAddress = '127.0.0.1'): Promise<string> {
  const res = await new Client(app, {}, remoteAddress).submit(form, fields)
  if (res.statusCode !== 303) throw new Error(`booking answered ${res.statusCode}`)
  const confirm = await new Client(app, {}, remoteAddress).submit(await confirmationLink(app, db, String(fields.holder_email)), { action: 'confirm' })
  if (confirm.statusCode !== 303) throw new Error(`confirmation answered ${confirm.statusCode}`)
  return String(res.headers.location)
}
