import type { Db, Platform } from '../../src/db/schema.js'
import { bookPitch } from '../../src/pitches/booking.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { publishedSession } from '../pitches/helpers.js'

// A platform with a session on 2026-12-18 (09:00–12:00, Paris) and a later one on 2027-01-29, two confirmed
// pitches, three organisations whose contacts answered (on site, remote, declined, a delegate), and a
// logged-in facilitator; the clock on the session's morning.

export const DATE = '2026-12-18'
export const LATER = '2027-01-29'
export const ATTENDANCE = `/admin/p/test/sessions/${DATE}/record/attendance`
export const RECORD = `/admin/p/test/sessions/${DATE}/record`
const T0 = '2026-11-01T00:00:00.000Z'

export interface World {
  t: TestApp
  platform: Platform
  sessionId: number
  laterId: number
  admin: Client
  contacts: Record<'helene' | 'marc' | 'lea' | 'karim' | 'sophie', number>
  partners: Record<'caf' | 'dept' | 'centres', number>
  pitches: number[]
  holders: number[]
}

async function partner(db: Db, platformId: number, name: string, kind: 'public_body' | 'local_authority' | 'association') {
  const key = name.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/[^a-z0-9]+/g, ' ').trim()
  const row = await db.insertInto('partner').values({ platform_id: platformId, name, name_key: key, kind, themes: '', website: null, notes: null, created_at: T0, updated_at: T0 })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

async function contact(db: Db, partnerId: number, name: string, email: string) {
  const row = await db.insertInto('contact').values({ partner_id: partnerId, name, email, email_key: email, phone: null, role: null, active: 1, feed_token_hash: null, created_at: T0, updated_at: T0 })
    .returning('id').executeTakeFirstOrThrow()
  return row.id
}

async function invite(db: Db, sessionId: number, contactId: number, answer: 'on_site' | 'remote' | 'declined' | 'delegate', delegateContactId: number | null = null) {
  await db.insertInto('invitation').values({
    session_id: sessionId, contact_id: contactId, token_hash: `test:${sessionId}:${contactId}`, answer, delegate_contact_id: delegateContactId,
    answered_at: T0, invited_at: T0, created_at: T0, updated_at: T0,
  }).execute()
}

export async function world(slug = 'test'): Promise<World> {
  const t = await buildTestApp()
  const platform = await createPlatform(t.db, { slug })
  const sessionId = await publishedSession(t.db, platform, DATE)
  const laterId = await publishedSession(t.db, platform, LATER)
  const caf = await partner(t.db, platform.id, 'CAF du Pas-de-Calais', 'public_body')
  const dept = await partner(t.db, platform.id, 'Département — Action sociale', 'local_authority')
  const centres = await partner(t.db, platform.id, 'Fédération des centres sociaux', 'association')
  const contacts = {
    helene: await contact(t.db, caf, 'Hélène Dupré', 'helene.dupre@caf.example.org'),
    marc: await contact(t.db, caf, 'Marc Petit', 'marc.petit@caf.example.org'),
    lea: await contact(t.db, dept, 'Léa Martin', 'lea.martin@pasdecalais.example.org'),
    karim: await contact(t.db, centres, 'Karim Benali', 'karim.benali@centres-sociaux.example.org'),
    sophie: await contact(t.db, centres, 'Sophie Lemaire', 'sophie.lemaire@centres-sociaux.example.org'),
  }
  await invite(t.db, sessionId, contacts.helene, 'on_site')
  await invite(t.db, sessionId, contacts.marc, 'remote')
  await invite(t.db, sessionId, contacts.lea, 'declined')
  await invite(t.db, sessionId, contacts.karim, 'delegate', contacts.sophie)
  const pitches: number[] = []
  for (const n of [1, 2]) {
    const booked = await bookPitch(t.app.ctx, platform, sessionId, {
      holder: { name: `Porteur ${n}`, email: `porteur${n}@example.org`, phone: null, kind: 'resident', commune_id: null },
      initiative: { title: `Jardin partagé ${n}`, summary: 'Un jardin au pied des immeubles.', domain: null, needs: [], stage: 'idee', commune_id: null },
      attendance: 'on_site', publicTitle: false,
    }, () => true)
    pitches.push(booked.pitchId)
  }
  const holders = (await t.db.selectFrom('pitch').select('holder_id').where('id', 'in', pitches).orderBy('id').execute()).map((p) => p.holder_id)
  t.clock.set('2026-12-18T10:00:00.000Z')
  const admin = await facilitatorClient(t.app, t.db, [platform.id])
  return { t, platform, sessionId, laterId, admin, contacts, partners: { caf, dept, centres }, pitches, holders }
}

export const attendanceRows = (db: Db, sessionId: number) =>
  db.selectFrom('attendance').selectAll().where('session_id', '=', sessionId).orderBy('id').execute()

/** The hidden fields of the attendance form as the page shows them: what a browser would send back. */
export function rollFields(html: string): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = { people: [] }
  for (const m of html.matchAll(/<input type="hidden" name="(people|shown_\w+|seen_\w+)" value="([^"]*)">/g)) {
    if (m[1] === 'people') (fields.people as string[]).push(m[2]!)
    else fields[m[1]!] = m[2]!
  }
  for (const m of html.matchAll(/<input type="radio" name="(presence_\w+)" value="(\w+)" checked>/g)) fields[m[1]!] = m[2]!
  return fields
}

export function csrfOf(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html)
  if (!m) throw new Error('no CSRF field')
  return m[1]!
}
