import type { Db, Platform } from '../../src/db/schema.js'
import { insertInvitation, saveAnswer } from '../../src/partners/invitation-store.js'
import { insertContact, insertPartner } from '../../src/partners/store.js'
import { bookPitch } from '../../src/pitches/booking.js'
import { buildTestApp, type Client, createPlatform, csrfToken, facilitatorClient, type TestApp } from '../helpers/app.js'
import { publishedSession } from '../pitches/helpers.js'
import { rollFields } from '../record/helpers.js'

// A session on 2026-12-18 with three confirmed pitches by three holders (Yves did not agree to be named to
// partners), three invited contacts (two present, one excused), the record of each pitch made through the record
// pages, and a logged-in facilitator; the clock on the afternoon after the session.

export const DATE = '2026-12-18'
export const BASE = `/admin/p/test/sessions/${DATE}`
export const MINUTES = `${BASE}/minutes`
const T0 = '2026-11-01T00:00:00.000Z'

export const HOLDERS = [
  { name: 'Nadia Benali', email: 'nadia.benali@example.org', title: 'Épicerie solidaire des Provinces', named: true },
  { name: 'Yves Morel', email: 'yves.morel@example.org', title: 'Atelier vélo de la cité 9', named: false },
  { name: 'Chantal Roussel', email: 'chantal.roussel@example.org', title: 'Jardin partagé du Marais', named: true },
] as const

export interface MinutesWorld {
  t: TestApp
  platform: Platform
  sessionId: number
  admin: Client
  pitches: number[]
  contacts: { helene: number; marc: number; lea: number }
  partners: { caf: number; dept: number }
}

async function invite(t: TestApp, sessionId: number, contactId: number, answer: 'on_site' | 'remote' | 'declined') {
  const invitation = (await insertInvitation(t.db, t.config.sessionSecret, { sessionId, contactId }, T0))!
  await saveAnswer(t.db, invitation.id, { answer, comment: null, delegateName: null, delegateEmail: null, delegateContactId: null }, T0)
}

const partner = (db: Db, platformId: number, name: string) => insertPartner(db, platformId, { name, kind: 'public_body', themes: [], website: null, notes: null }, T0)
const contact = (db: Db, partnerId: number, name: string, email: string) => insertContact(db, partnerId, { name, email, phone: null, role: null, active: true }, T0)

export async function minutesWorld(): Promise<MinutesWorld> {
  const t = await buildTestApp()
  const platform = await createPlatform(t.db)
  const sessionId = await publishedSession(t.db, platform, DATE)
  const caf = await partner(t.db, platform.id, 'CAF du Pas-de-Calais')
  const dept = await partner(t.db, platform.id, 'Département — Action sociale')
  const contacts = {
    helene: await contact(t.db, caf, 'Hélène Dupré', 'helene.dupre@caf.example.org'),
    marc: await contact(t.db, caf, 'Marc Petit', 'marc.petit@caf.example.org'),
    lea: await contact(t.db, dept, 'Léa Martin', 'lea.martin@pasdecalais.example.org'),
  }
  await invite(t, sessionId, contacts.helene, 'on_site')
  await invite(t, sessionId, contacts.marc, 'remote')
  await invite(t, sessionId, contacts.lea, 'declined')
  const pitches: number[] = []
  for (const h of HOLDERS) {
    const booked = await bookPitch(t.app.ctx, platform, sessionId, {
      holder: { name: h.name, email: h.email, phone: null, kind: 'resident', commune_id: null },
      initiative: { title: h.title, summary: 'Une initiative du quartier.', domain: null, needs: [], stage: 'idee', commune_id: null },
      attendance: 'on_site', publicTitle: false,
    }, () => true)
    pitches.push(booked.pitchId)
    // The facilitator's booking (bookPitch) does not ask the holder's consent; the public form's answer, stored as it stores it.
    await t.db.updateTable('holder').set({ shares_contact: h.named ? 1 : 0 }).where('email', '=', h.email).execute()
  }
  t.clock.set('2026-12-18T14:00:00.000Z')
  const admin = await facilitatorClient(t.app, t.db, [platform.id])
  const w: MinutesWorld = { t, platform, sessionId, admin, pitches, contacts, partners: { caf, dept } }
  await recordSession(w)
  return w
}

/** Attendance (Hélène on site, Marc remote), then each pitch's record: summary, advice, a referral, next steps. */
async function recordSession(w: MinutesWorld) {
  const attendance = `${BASE}/record/attendance`
  const html = (await w.admin.get(attendance)).body
  const marked = await w.admin.post(attendance, { ...rollFields(html), _csrf: csrfToken(html), [`presence_c${w.contacts.helene}`]: 'on_site', [`presence_c${w.contacts.marc}`]: 'remote' })
  if (marked.statusCode !== 303) throw new Error(`attendance: ${marked.statusCode}`)
  for (const [i, pitchId] of w.pitches.entries()) {
    const page = (await w.admin.get(`${BASE}/record`)).body
    const version = new RegExp(`name="pitch_id" value="${pitchId}">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(page)![1]!
    const res = await w.admin.post(`${BASE}/record`, {
      _csrf: csrfToken(page), pitch_id: String(pitchId), version,
      summary: `Résumé de ${HOLDERS[i]!.title}.`, next_steps: `Suite ${i + 1} : revenir en mars.`, stage_after: 'projet',
      advice_who_0: `contact:${w.contacts.helene}`, advice_body_0: `Conseil ${i + 1} de la CAF.`,
      ref_partner_0: String(w.partners.caf), ref_subject_0: `Orientation ${i + 1} vers la CAF`,
    })
    if (res.statusCode !== 303) throw new Error(`record ${pitchId}: ${res.statusCode}`)
  }
}

/** Sends the minutes from the page, as the facilitator's button does. */
export async function sendFromPage(admin: Client) {
  const page = (await admin.get(MINUTES)).body
  const version = /name="version" value="(\d+)"/.exec(page)![1]!
  return { res: await admin.post(`${MINUTES}/send`, { _csrf: csrfToken(page), version }), version, csrf: csrfToken(page) }
}
