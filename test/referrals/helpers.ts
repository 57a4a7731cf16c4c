import type { Platform } from '../../src/db/schema.js'
import { seedPartners } from '../../src/partners/store.js'
import { createReferral, referralToken } from '../../src/referrals/store.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { aBookedPitch, aSession } from '../helpers/factories.js'

// A platform with a past session (2026-11-20) and one pitch by Nadia (phone and address), two organisations
// (the CAF with two contacts, the Département with one), a logged-in facilitator; the clock on 2026-11-23.

const T0 = '2026-11-01T00:00:00.000Z'

export interface World {
  t: TestApp
  platform: Platform
  sessionId: number
  pitchId: number
  initiativeId: number
  holderId: number
  pitchToken: string
  partners: { caf: number; dept: number }
  contacts: { helene: number; marc: number; lea: number }
  admin: Client
}

export async function world(slug = 'test'): Promise<World> {
  const t = await buildTestApp()
  const platform = await createPlatform(t.db, { slug })
  const sessionId = await aSession(t.db, platform, { date: '2026-11-20' })
  const booked = await aBookedPitch(t.app.ctx, platform, sessionId, 1, { name: 'Nadia Benali', email: 'nadia@example.org', phone: '06 12 34 56 78' })
  const pitch = await t.db.selectFrom('pitch').select(['initiative_id', 'holder_id']).where('id', '=', booked.pitchId).executeTakeFirstOrThrow()
  await seedPartners(t.db, platform.id, [
    { name: 'CAF du Pas-de-Calais', kind: 'public_body', themes: [], contacts: [{ name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org' }, { name: 'Marc Petit', email: 'marc.petit@caf.example.org' }] },
    { name: 'Département — Action sociale', kind: 'local_authority', themes: [], contacts: [{ name: 'Léa Martin', email: 'lea.martin@pasdecalais.example.org' }] },
  ], T0)
  const partnerId = async (name: string) => (await t.db.selectFrom('partner').select('id').where('platform_id', '=', platform.id).where('name', '=', name).executeTakeFirstOrThrow()).id
  const contactId = async (email: string) => (await t.db.selectFrom('contact').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id
  const admin = await facilitatorClient(t.app, t.db, [platform.id], `camille@${slug}.example.org`)
  return {
    t, platform, sessionId, pitchId: booked.pitchId, initiativeId: pitch.initiative_id, holderId: pitch.holder_id, pitchToken: booked.token,
    partners: { caf: await partnerId('CAF du Pas-de-Calais'), dept: await partnerId('Département — Action sociale') },
    contacts: { helene: await contactId('helene.dupre@caf.example.org'), marc: await contactId('marc.petit@caf.example.org'), lea: await contactId('lea.martin@pasdecalais.example.org') },
    admin,
  }
}

/** A referral made the way record/ makes one (its first event, the partner's mail), and its link. */
export async function aReferral(w: World, options: { partner?: 'caf' | 'dept'; contact?: 'helene' | 'lea' | null; followUpOn?: string | null; shareContact?: boolean; subject?: string } = {}) {
  const id = await w.t.db.transaction().execute((trx) => createReferral(trx, w.t.app.ctx, {
    pitchId: w.pitchId, initiativeId: w.initiativeId, partnerId: w.partners[options.partner ?? 'caf'],
    contactId: options.contact ? w.contacts[options.contact] : null, subject: options.subject ?? 'Aide au démarrage (appel à projets)',
    followUpOn: options.followUpOn === undefined ? '2026-12-15' : options.followUpOn, shareContact: options.shareContact ?? false, createdBy: null,
  }, w.t.clock.now().toISOString()))
  return { id, token: referralToken(w.t.config.sessionSecret, { id, token_version: 1 }), url: `/referrals/${referralToken(w.t.config.sessionSecret, { id, token_version: 1 })}` }
}

/** Every row of the referral tables and the outbox, to prove a request wrote nothing. */
export async function snapshot(w: World) {
  const [referral, referralEvent, outbox] = await Promise.all([
    w.t.db.selectFrom('referral').selectAll().orderBy('id').execute(),
    w.t.db.selectFrom('referral_event').selectAll().orderBy('id').execute(),
    w.t.db.selectFrom('outbox').select(['id', 'kind', 'to_email', 'status']).orderBy('id').execute(),
  ])
  return { referral, referralEvent, outbox }
}
