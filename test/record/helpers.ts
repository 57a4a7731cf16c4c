import type { Db, Platform } from '../../src/db/schema.js'
import { insertInvitation, saveAnswer } from '../../src/partners/invitation-store.js'
import { insertContact, insertPartner } from '../../src/partners/store.js'
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

// Made through partners/store.ts, as the app writes them: the organisations, their contacts, the invitations and answers.
const partner = (db: Db, platformId: number, name: string, kind: 'public_body' | 'local_authority' | 'association') =>
  insertPartner(db, platformId, { name, kind, themes: [], website: null, notes: null }, T0)

const contact = (db: Db, partnerId: number, name: string, email: string) =>
  insertContact(db, partnerId, { name, email, phone: null, role: null, active: true }, T0)

async function invite(t: TestApp, sessionId: number, contactId: number, answer: 'on_site' | 'remote' | 'declined' | 'delegate', delegateContactId: number | null = null) {
  const invitation = (await insertInvitation(t.db, t.config.sessionSecret, { sessionId, contactId }, T0))!
  await saveAnswer(t.db, invitation.id, { answer, comment: null, delegateName: null, delegateEmail: null, delegateContactId }, T0)
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
  await invite(t, sessionId, contacts.helene, 'on_site')
  await invite(t, sessionId, contacts.marc, 'remote')
  await invite(t, sessionId, contacts.lea, 'declined')
  await invite(t, sessionId, contacts.karim, 'delegate', contacts.sophie)
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
