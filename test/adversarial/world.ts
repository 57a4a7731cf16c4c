import type { FastifyInstance } from 'fastify'
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { seedDemo, seedDemoPartners, seedDemoPitches } from '../../src/demo/seed.js'
import { personalToken } from '../../src/web/tokens.js'
import { bookPitch, pitchToken } from '../../src/pitches/booking.js'
import { createReferral, referralToken } from '../../src/referrals/store.js'
import { ensureCommune, setAdmin } from '../../src/platforms/store.js'
import { createAccountToken } from '../../src/platforms/accounts.js'
import { buildTestApp, Client, createFacilitator, createPlatform, type TestApp } from '../helpers/app.js'
import { publishedSession } from '../pitches/helpers.js'

// A lived-in instance for the adversarial suite: the Lens-Liévin demo (sessions, pitches, partners,
// invitations, mail) and a second platform "autre" with its own objects and its own facilitator; and an
// instance administrator who facilitates no platform.

/** Records every statement that would change the database. */
export class WriteDetector implements KyselyPlugin {
  writes: string[] = []
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const kind = args.node.kind
    if (kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode' || kind === 'MergeQueryNode') {
      const table = JSON.stringify((args.node as unknown as { into?: unknown; table?: unknown }).into ?? (args.node as unknown as { table?: unknown }).table ?? '')
      // Rate-limit counters (PostgreSQL mode) are not data anyone reads.
      if (!table.includes('"rate_limit"')) this.writes.push(`${kind} ${table.slice(0, 120)}`)
    }
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

export interface World {
  t: TestApp
  detector: WriteDetector
  own: Client
  other: Client
  /** An instance administrator, facilitator of no platform. */
  admin: Client
  anon: Client
  ids: Record<string, number | string>
  foreign: Record<string, number | string>
}

export async function buildWorld(): Promise<World> {
  const detector = new WriteDetector()
  const t = await buildTestApp({ wrapDb: (db) => db.withPlugin(detector) })
  const ctx = t.app.ctx
  await seedDemo({ db: t.db, uidHost: 'fabrik.test', now: t.clock.now() })
  await seedDemoPitches(ctx)
  await seedDemoPartners(ctx)
  const demo = (await t.db.selectFrom('platform').selectAll().where('slug', '=', 'lens-lievin').executeTakeFirstOrThrow())

  // The other platform, with one of everything.
  const autre = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
  const now = t.clock.now().toISOString()
  const communeId = (await ensureCommune(t.db, autre.id, { name: 'Arlon', postcode: '6700' }, now)).id
  await t.db.insertInto('venue').values({ platform_id: autre.id, commune_id: communeId, name: 'Salle', address: '1 rue', accessibility: null, capacity: 10, host_name: null, host_email: null, host_phone: null, created_at: now, updated_at: now }).execute()
  const autreSession = await publishedSession(t.db, autre, '2026-12-04') // a date Lens-Liévin has no session on
  const partner = await t.db.insertInto('partner').values({ platform_id: autre.id, name: 'Partenaire autre', name_key: 'partenaire autre', kind: 'other', themes: '', website: null, notes: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
  const contact = await t.db.insertInto('contact').values({ partner_id: partner.id, name: 'Contact autre', email: 'c@autre.example.org', email_key: 'c@autre.example.org', phone: null, role: null, active: 1, feed_token_hash: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
  const invitation = await t.db.insertInto('invitation').values({ session_id: autreSession, contact_id: contact.id, token_hash: 'x-autre', answer: 'none', invited_at: now, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
  const outbox = await t.db.insertInto('outbox').values({ kind: 'session.reminder', platform_id: autre.id, session_id: autreSession, thread_key: null, dedupe_key: null, to_name: 'x', to_email: 'c@autre.example.org', subject: 's', text_body: 't', html_body: '<p>t</p>', ical_method: null, ical: null, message_id: '<x@autre>', status: 'failed', attempts: 1, next_attempt_at: now, lease_until: null, last_error: '550', sent_at: null, created_at: now }).returning('id').executeTakeFirstOrThrow()
  const initiative = await t.db.insertInto('initiative').values({ platform_id: autre.id, title: 'Idée autre', summary: 's', domain: null, needs: '', stage: null, commune_id: null, merged_into_id: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()

  const camille = await createFacilitator(t.db, 'camille@lens.example.org', [demo.id])
  // An open "Mot de passe oublié" link of hers (GET /login/reset/:token shows its form).
  // An open invitation to Lens-Liévin (GET /invitation/:token shows its password form).
  const invitationTokenId = await createAccountToken(t.db, t.config.sessionSecret, { purpose: 'invitation', facilitatorId: null, platformId: demo.id, email: 'dominique@lens.example.org', name: 'Dominique', invitedBy: camille }, t.clock.now())
  const resetId = await createAccountToken(t.db, t.config.sessionSecret, { purpose: 'reset', facilitatorId: camille, platformId: null, email: 'camille@lens.example.org', name: 'Camille' }, t.clock.now())
  await createFacilitator(t.db, 'bruno@autre.example.org', [autre.id])
  const own = new Client(t.app, {}, '10.9.0.1')
  await own.login('camille@lens.example.org')
  const other = new Client(t.app, {}, '10.9.0.2')
  await other.login('bruno@autre.example.org')
  const anon = new Client(t.app, {}, '10.9.0.3')
  await setAdmin(t.db, await createFacilitator(t.db, 'ada@fabrik.example.org', []))
  const admin = new Client(t.app, {}, '10.9.0.4')
  await admin.login('ada@fabrik.example.org')

  // Lens-Liévin objects the routes open.
  const invited = await t.db.selectFrom('invitation').innerJoin('session', 'session.id', 'invitation.session_id').innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select(['invitation.id', 'invitation.token_version', 'session.date', 'contact.id as contact_id', 'contact.partner_id']).orderBy('invitation.id').executeTakeFirstOrThrow()
  const pitch = await t.db.selectFrom('pitch').innerJoin('session', 'session.id', 'pitch.session_id').select(['pitch.id', 'pitch.token_version', 'pitch.initiative_id', 'session.date']).orderBy('pitch.id').executeTakeFirstOrThrow()
  const mail = await t.db.selectFrom('outbox').select('id').where('platform_id', '=', demo.id).where('ical', 'is not', null).orderBy('id').executeTakeFirstOrThrow()
  const venue = await t.db.selectFrom('venue').select('id').where('platform_id', '=', demo.id).executeTakeFirstOrThrow()
  await t.db.updateTable('outbox').set({ status: 'failed' }).where('id', '=', mail.id).execute()
  const secret = t.config.sessionSecret
  // A referral on each platform (the partner's /referrals/ link, the Orientations detail pages).
  const refer = (p: { pitchId: number; initiativeId: number; partnerId: number }) => t.db.transaction().execute((trx) => createReferral(trx, ctx, {
    ...p, contactId: null, subject: 'Aide au démarrage', followUpOn: '2026-12-31', shareContact: false, createdBy: null,
  }, now))
  const referral = await refer({ pitchId: pitch.id, initiativeId: pitch.initiative_id, partnerId: invited.partner_id })
  const autrePitch = await bookPitch(ctx, autre, autreSession, {
    holder: { name: 'Porteur autre', email: 'porteur@autre.example.org', phone: null, kind: 'resident', commune_id: null },
    initiative: { title: 'Initiative autre', summary: 's', domain: null, needs: [], stage: null, commune_id: null }, attendance: 'on_site', publicTitle: false,
  }, () => true)
  const autreInitiative = (await t.db.selectFrom('pitch').select('initiative_id').where('id', '=', autrePitch.pitchId).executeTakeFirstOrThrow()).initiative_id
  const foreignReferral = await refer({ pitchId: autrePitch.pitchId, initiativeId: autreInitiative, partnerId: partner.id })
  return {
    t, detector, own, other, admin, anon,
    ids: {
      slug: 'lens-lievin', platform: 'lens-lievin', date: invited.date, pitchDate: pitch.date, commune: 'lens',
      pitchToken: pitchToken(ctx, pitch), rsvpToken: personalToken(secret, 'rsvp', invited.id, invited.token_version),
      feedFile: `${personalToken(secret, 'feed-contact', invited.contact_id)}.ics`,
      resetToken: personalToken(secret, 'facilitator-reset', resetId),
      invitationToken: personalToken(secret, 'facilitator-invitation', invitationTokenId),
      venue: venue.id, partner: invited.partner_id, contact: invited.contact_id, invitation: invited.id, outbox: mail.id,
      initiative: pitch.initiative_id, pitch: pitch.id, account: camille,
      referral, referralToken: referralToken(secret, { id: referral, token_version: 1 }),
      // Advice recorded on the demo's past sessions (the record's correction form).
      advice: (await t.db.selectFrom('advice').select('id').orderBy('id').executeTakeFirst())?.id ?? 1,
    },
    foreign: { venue: (await t.db.selectFrom('venue').select('id').where('platform_id', '=', autre.id).executeTakeFirstOrThrow()).id, partner: partner.id, contact: contact.id, invitation: invitation.id, outbox: outbox.id, initiative: initiative.id, date: '2026-12-04', pitchDate: '2026-12-04', referral: foreignReferral, advice: (await t.db.selectFrom('advice').select('id').orderBy('id').executeTakeFirst())?.id ?? 1 },
  }
}

/** Every route of the app as (method, pattern), read from Fastify's own route tree. */
export function routeTable(app: FastifyInstance): Array<{ method: string; url: string }> {
  const lines = app.printRoutes({ commonPrefix: false }).split('\n')
  const stack: string[] = []
  const routes: Array<{ method: string; url: string }> = []
  for (const line of lines) {
    const m = /^([│ ]*)(?:├── |└── )(.+?)(?: \(([^)]*)\))?$/.exec(line)
    if (!m) continue
    const depth = m[1]!.length / 4
    const segment = m[2]!
    const parent = depth === 0 ? '' : stack[depth - 1]!
    const path = depth === 0 ? segment : parent === '/' ? `/${segment}` : `${parent}${segment}`
    stack[depth] = path
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      if (method !== 'HEAD') routes.push({ method, url: path })
    }
  }
  return routes
}
