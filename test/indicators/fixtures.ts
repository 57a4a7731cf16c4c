import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import type { Db, Platform, Presence, ReferralStatus, SessionMode, SessionStatus } from '../../src/db/schema.js'
import { initiativeForHolder, insertPitch, upsertHolder } from '../../src/pitches/store.js'
import { nameKey } from '../../src/platforms/names.js'
import { createPlatform } from '../helpers/app.js'
import { aCommune, aSession } from '../helpers/factories.js'

// A known dataset for the year's figures: sessions, communes, holders and pitches through their stores
// (helpers/factories.ts, pitches/store.ts), the rest with direct inserts (the record pages that fill attendance,
// advice and referrals are other folders' work). Every figure the tests expect is counted by hand in
// EXPECTED_2026 / EXPECTED_2027, with the reason beside each edge case.

export const NOW = '2027-01-10T12:00:00.000Z'
const T0 = '2025-01-01T00:00:00.000Z'

export const EXPECTED_2026 = {
  sessionsHeld: 4, // S1 S2 S4 S5; S3 cancelled, the draft not counted, S7 moved to 2027
  sessionsCancelled: 1,
  communesVisited: 2, // Lens (S1, S5), Liévin (S2); S4 is a videoconference without commune
  pitches: 4, // P1 P2 P3 P6; P4 withdrawn, P5 at the cancelled session, P7 waiting
  distinctHolders: 3, // H1 (twice), H2, H4
  partnersPresent: 3, // Mission locale (its walk-in typed in lower case too), France Active, Réseau Entreprendre (two walk-ins, one organisation)
  advice: 3, // on P1 ×2, P2; not P5 (cancelled session) nor P7 (never presented)
  referrals: 3, // from P1 P2 P6; not P5
  referralsSucceeded: 1, // R1; R3 succeeded then reopened
}

export const EXPECTED_2027 = {
  sessionsHeld: 2, // S6 (00:30 on 1 January in Paris: still 2026 in UTC), S7 (moved from 2026-12-18)
  sessionsCancelled: 0,
  communesVisited: 2,
  pitches: 1, // P8; P9 is at S8, not yet held
  distinctHolders: 1,
  partnersPresent: 1, // a walk-in whose organisation reads as a spreadsheet formula
  advice: 0,
  referrals: 0,
  referralsSucceeded: 0,
}

export interface Known { platform: Platform; other: Platform }

export async function knownDataset(db: Db, slug = 'bilan'): Promise<Known> {
  const platform = await createPlatform(db, { slug, name: 'Plateforme du bilan', timezone: 'Europe/Paris' })
  const commune = async (name: string) => (await aCommune(db, platform, name, '62300')).id
  const [lens, lievin, avion] = [await commune('Lens'), await commune('Liévin'), await commune('Avion')]
  await commune('Harnes') // never visited

  const session = (date: string, start: string, end: string, communeId: number | null, mode: SessionMode, status: SessionStatus, moved: string | null = null, p = platform) =>
    aSession(db, p, { date, start_time: start, end_time: end, commune_id: communeId, mode, video_url: mode === 'in_person' ? null : 'https://visio.example.org/x', status, moved_because: moved, now: T0 })
  const S0 = await session('2025-11-28', '09:00', '12:00', lens, 'in_person', 'published')
  const S1 = await session('2026-01-30', '09:00', '12:00', lens, 'in_person', 'published')
  const S2 = await session('2026-02-27', '09:00', '12:00', lievin, 'hybrid', 'published')
  const S3 = await session('2026-03-27', '09:00', '12:00', avion, 'in_person', 'cancelled')
  const S4 = await session('2026-04-24', '14:00', '16:30', null, 'videoconference', 'published')
  await session('2026-06-26', '09:00', '12:00', avion, 'in_person', 'draft')
  const S5 = await session('2026-12-31', '21:00', '23:30', lens, 'in_person', 'published')
  const S6 = await session('2027-01-01', '00:30', '02:00', lievin, 'in_person', 'published')
  const S7 = await session('2027-01-08', '09:00', '12:00', avion, 'in_person', 'published', 'Salle indisponible le 18 décembre')
  await db.insertInto('session_alias').values({ platform_id: platform.id, date: '2026-12-18', session_id: S7, created_at: T0 }).execute()
  const S8 = await session('2027-01-29', '09:00', '12:00', lens, 'in_person', 'published')

  let n = 0
  const holder = async (kind: 'resident' | 'group' | 'association' | 'other', p = platform) => {
    n++
    return (await upsertHolder(db, p.id, { name: `Porteur ${n}`, email: `porteur${n}@example.org`, phone: null, kind, commune_id: null }, T0)).id
  }
  const [H1, H2, H3, H4] = [await holder('resident'), await holder('association'), await holder('group'), await holder('resident')]
  // Holders' communes: H1 and H4 in Lens, H2 in Liévin, H3 said none.
  for (const [h, c] of [[H1, lens], [H4, lens], [H2, lievin]] as const) await db.updateTable('holder').set({ commune_id: c }).where('id', '=', h).execute()
  const pitch = async (sessionId: number, holderId: number, status: 'confirmed' | 'waiting' | 'withdrawn', p = platform) => {
    n++
    const initiative = await initiativeForHolder(db, p.id, holderId, { title: `Initiative ${n}`, summary: 's', domain: null, needs: [], stage: null, commune_id: null }, T0)
    const id = await insertPitch(db, { session_id: sessionId, initiative_id: initiative, holder_id: holderId, status, position: n, attendance_mode: 'on_site', public_title: 1, address_confirmed_at: T0, hold_until: null, form_nonce_hash: null }, T0)
    return { id, initiative }
  }
  await pitch(S0, H4, 'confirmed') // H4 returns in 2026
  const P1 = await pitch(S1, H1, 'confirmed')
  const P2 = await pitch(S1, H2, 'confirmed')
  await pitch(S2, H1, 'confirmed')
  await pitch(S2, H3, 'withdrawn')
  const P5 = await pitch(S3, H3, 'confirmed')
  const P6 = await pitch(S4, H4, 'confirmed')
  const P7 = await pitch(S5, H2, 'waiting')
  await pitch(S6, H3, 'confirmed') // H3's first presentation: a first-timer in 2027
  await pitch(S8, H1, 'confirmed')

  await db.updateTable('initiative').set({ domain: 'social', stage: 'idee' }).where('platform_id', '=', platform.id).execute()
  await db.updateTable('initiative').set({ domain: 'environnement' }).where('id', '=', P1.initiative).execute()

  // The records of the pitches: the stage before and after (record/ keeps both, and moves the initiative's own
  // stage to the one after — so the initiative rows below say the stage of today, not of the pitch).
  const record = async (p: { id: number; initiative: number }, before: string | null, after: string | null) => {
    await db.insertInto('pitch_record').values({ pitch_id: p.id, summary: null, next_steps: null, stage_before: before, stage_after: after, revisit_session_id: null, revisit_offered_at: null, updated_by: null, created_at: T0, updated_at: T0 }).execute()
    if (after) await db.updateTable('initiative').set({ stage: after }).where('id', '=', p.initiative).execute()
  }
  await record(P1, 'idee', 'projet') // a change
  await record(P2, 'idee', 'idee') // recorded, no change
  await record(P6, 'idee', 'en_cours') // a change
  await record(P5, 'idee', 'projet') // at the cancelled session: not counted

  const partner = async (name: string) => (await db.insertInto('partner').values({ platform_id: platform.id, name, name_key: nameKey(name), kind: 'association', themes: '', website: null, notes: null, created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()).id
  const contact = async (partnerId: number, email: string) => (await db.insertInto('contact').values({ partner_id: partnerId, name: email, email, email_key: email, phone: null, role: null, active: 1, feed_token_hash: null, created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()).id
  const [A, B, C] = [await partner('Mission locale'), await partner('France Active'), await partner('Conseil départemental')]
  const [cA1, cA2, cB1, cC1] = [await contact(A, 'a1@ml.example.org'), await contact(A, 'a2@ml.example.org'), await contact(B, 'b1@fa.example.org'), await contact(C, 'c1@cd.example.org')]
  const invite = (sessionId: number, contactId: number) => db.insertInto('invitation').values({ session_id: sessionId, contact_id: contactId, token_hash: `inv-${sessionId}-${contactId}`, answer: 'on_site', invited_at: T0, created_at: T0, updated_at: T0 }).execute()
  for (const [s, c] of [[S1, cA1], [S1, cB1], [S1, cC1], [S2, cA1], [S2, cB1], [S4, cA1], [S3, cC1]] as const) await invite(s, c)

  const attend = (sessionId: number, presence: Presence, who: { contact?: number; partner?: number; holder?: number; name?: string; organisation?: string }) =>
    db.insertInto('attendance').values({ session_id: sessionId, contact_id: who.contact ?? null, holder_id: who.holder ?? null, partner_id: who.partner ?? null, name: who.name ?? null, organisation: who.organisation ?? null, email: null, presence, recorded_by: null, created_at: T0, updated_at: T0 }).execute()
  await attend(S1, 'on_site', { contact: cA1, partner: A })
  await attend(S1, 'on_site', { contact: cA2, partner: A }) // two people of one organisation: present once
  await attend(S1, 'remote', { contact: cB1, partner: B })
  await attend(S1, 'absent', { contact: cC1, partner: C })
  await attend(S1, 'on_site', { name: 'Zoé', organisation: 'Réseau Entreprendre' })
  await attend(S2, 'on_site', { name: 'Yann', organisation: 'RÉSEAU  entreprendre ' }) // the same organisation, typed otherwise
  await attend(S2, 'on_site', { name: 'Xavier', organisation: 'mission locale' }) // a walk-in of a known partner
  await attend(S2, 'on_site', { holder: H1 }) // a holder is no organisation
  await attend(S2, 'on_site', { name: 'Wanda' }) // a person on their own neither
  await attend(S4, 'remote', { contact: cA1, partner: A })
  await attend(S3, 'on_site', { contact: cC1, partner: C }) // the cancelled session
  await attend(S6, 'on_site', { name: 'Victor', organisation: '=HYPERLINK("http://evil.example";"Cliquez")' })

  const advise = (pitchId: number, source: 'written' | 'table', partnerId: number | null) => db.insertInto('advice').values({ pitch_id: pitchId, contact_id: null, partner_id: partnerId, body: 'Un avis.', source, author_name: null, recorded_by: null, created_at: T0 }).execute()
  await advise(P1.id, 'table', A)
  await advise(P1.id, 'written', B)
  await advise(P2.id, 'table', null)
  await advise(P5.id, 'written', C)
  await advise(P7.id, 'written', A)

  const refer = async (p: { id: number; initiative: number }, partnerId: number, status: ReferralStatus) => {
    n++
    return (await db.insertInto('referral').values({ pitch_id: p.id, initiative_id: p.initiative, partner_id: partnerId, contact_id: null, subject: 'Un accompagnement', follow_up_on: null, status, token_hash: `ref-${n}`, reminded_at: null, created_by: null, created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()).id
  }
  const R1 = await refer(P1, A, 'succeeded')
  await db.insertInto('referral_event').values({ referral_id: R1, status: 'succeeded', note: null, by_kind: 'partner', by_facilitator_id: null, by_contact_id: null, by_name: null, created_at: '2025-01-11T00:00:00.000Z' }).execute()
  await refer(P2, B, 'in_progress')
  const R3 = await refer(P6, A, 'contacted')
  for (const status of ['succeeded', 'contacted'] as const) await db.insertInto('referral_event').values({ referral_id: R3, status, note: null, by_kind: 'facilitator', by_facilitator_id: null, by_contact_id: null, by_name: null, created_at: T0 }).execute()
  await refer(P5, C, 'succeeded')

  // A holder at two platforms: the other platform's own holder row, its session and pitch count there only.
  const other = await createPlatform(db, { slug: `${slug}-autre`, name: 'Autre plateforme' })
  const So = await session('2026-05-29', '09:00', '12:00', null, 'in_person', 'published', null, other)
  await pitch(So, await holder('resident', other), 'confirmed', other)
  return { platform, other }
}

/** Counts the queries that ran (a plugin sees each one built, then its result: the second counts). */
export class Counter implements KyselyPlugin {
  n = 0
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode { return args.node }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> { this.n++; return args.result }
}
