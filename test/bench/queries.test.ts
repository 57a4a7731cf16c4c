import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import type { Db, Platform } from '../../src/db/schema.js'
import { insertInvitation, saveAnswer } from '../../src/partners/invitation-store.js'
import { seedPartners } from '../../src/partners/store.js'
import { ensureCommune } from '../../src/platforms/store.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'
import { insertSession } from '../../src/sessions/store.js'
import { hashToken, personalToken } from '../../src/web/tokens.js'
import { Client, createFacilitator, createPlatform, DEFAULT_NOW, testConfig, TestClock } from '../helpers/app.js'
import { tempDatabase, type TempDatabase } from '../helpers/db.js'

// No N+1: each page issues the same number of SQL queries on a small platform and on one five times bigger
// (more sessions, pitches, organisations, contacts and invitations). The app runs on the test database's own
// Kysely (same dialect, same connection) with a plugin that counts every query it executes.

const DATE = '2026-12-18' // the measured session: upcoming, bookable, everyone invited
const RECORD_DATE = '2026-11-18' // the last session held before DEFAULT_NOW: the record pages' subject
const T0 = '2026-01-01T00:00:00.000Z'
const SCALES = [1, 5] as const

interface World {
  temp: TempDatabase
  client: Client
  close(): Promise<void>
  /**
   * Queries executed while rendering one request (after one warm-up request to the same URL, with the page
   * cache emptied in between), and while answering it again from the cache.
   */
  count(url: string): Promise<{ queries: number; cachedQueries: number; status: number; bytes: number; sql: string[] }>
  urls: Record<string, string>
}

/**
 * Counts the queries executed through a Kysely instance. A plugin sees each query twice: when it is built
 * (transformQuery, which may happen without running it) and after it ran (transformResult): only the second
 * counts. The description (kind and tables) is what a failing test prints.
 */
class QueryCounter implements KyselyPlugin {
  readonly executed: string[] = []
  private readonly described = new WeakMap<object, string>()
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.described.set(args.queryId, describeQuery(args.node))
    return args.node
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.executed.push(this.described.get(args.queryId) ?? 'query')
    return args.result
  }
}

function describeQuery(node: RootOperationNode): string {
  const name = (n: unknown): string => {
    const x = n as { kind?: string; table?: { identifier?: { name?: string } }; node?: unknown; alias?: { name?: string } }
    if (x?.kind === 'AliasNode') return name(x.node)
    return x?.table?.identifier?.name ?? '?'
  }
  const q = node as { kind: string; from?: { froms: unknown[] }; joins?: Array<{ table: unknown }>; sqlFragments?: readonly string[] }
  if (q.kind === 'RawNode') return `raw: ${(q.sqlFragments ?? []).join('?').slice(0, 60)}`
  const tables = [...(q.from?.froms ?? []), ...(q.joins ?? []).map((j) => j.table)].map(name)
  return `${q.kind.replace(/QueryNode$/, '').toLowerCase()} ${tables.join(' + ')}`
}

/** Months after (or before) 2026-12-18, always an 18th so every date exists. */
const monthFrom = (offset: number) => {
  const d = new Date(Date.UTC(2026, 11 + offset, 18))
  return d.toISOString().slice(0, 10)
}

async function seed(db: Db, secret: string, scale: number) {
  // A bigger platform has more pitch slots per session, so the session page shows more pitches too.
  const agenda = [DEFAULT_AGENDA[0]!, ...Array.from({ length: 3 * scale }, () => DEFAULT_AGENDA[1]!), DEFAULT_AGENDA.at(-1)!]
  const platform = await createPlatform(db, { agenda_template: JSON.stringify(agenda) })
  const communes: number[] = []
  for (let i = 0; i < 2 * scale; i++) communes.push((await ensureCommune(db, platform.id, { name: `Commune ${i + 1}`, postcode: '62000' }, T0)).id)
  const venues: number[] = []
  for (const [i, c] of communes.entries()) {
    const v = await db.insertInto('venue').values({
      platform_id: platform.id, commune_id: c, name: `Salle ${i + 1}`, address: `${i + 1} place de la Mairie`, accessibility: null,
      capacity: 30, host_name: null, host_email: null, host_phone: null, created_at: T0, updated_at: T0,
    }).returning('id').executeTakeFirstOrThrow()
    venues.push(v.id)
  }
  // Sessions from 3×scale months ago to 3×scale months ahead (all inside the feeds' one-year window), one cancelled.
  const sessions: Array<{ id: number; date: string }> = []
  for (let m = -3 * scale; m < 3 * scale; m++) {
    const date = monthFrom(m)
    const i = (m + 3 * scale) % communes.length
    const id = await insertSession(db, platform, {
      date, start_time: '09:00', end_time: '12:00', commune_id: communes[i]!, venue_id: venues[i]!, mode: m % 4 === 1 ? 'hybrid' : 'in_person',
      video_url: m % 4 === 1 ? 'https://visio.example.org/x' : null, status: m === -1 ? 'cancelled' : 'published', notes: null, moved_because: null,
    }, 'fabrik.test', T0)
    sessions.push({ id, date })
  }
  const target = sessions.find((s) => s.date === DATE)!

  // Pitches: every slot of every session held, plus waiting ones on the measured session.
  let n = 0
  for (const s of sessions) {
    const extra = s.id === target.id ? 2 * scale : 0
    for (let i = 0; i < 3 * scale + extra; i++) {
      n++
      const holder = await db.insertInto('holder').values({
        platform_id: platform.id, name: `Porteur ${n}`, email: `porteur${n}@test.example.org`, email_key: `porteur${n}@test.example.org`,
        phone: null, kind: 'resident', commune_id: communes[n % communes.length]!, feed_token_hash: null, created_at: T0, updated_at: T0,
      }).returning('id').executeTakeFirstOrThrow()
      const initiative = await db.insertInto('initiative').values({
        platform_id: platform.id, title: `Initiative ${n}`, summary: 'Un projet.', domain: 'social', needs: 'local', stage: 'idee',
        commune_id: communes[n % communes.length]!, merged_into_id: null, created_at: T0, updated_at: T0,
      }).returning('id').executeTakeFirstOrThrow()
      await db.insertInto('initiative_holder').values({ initiative_id: initiative.id, holder_id: holder.id }).execute()
      await db.insertInto('pitch').values({
        session_id: s.id, initiative_id: initiative.id, holder_id: holder.id, status: i < 3 * scale ? 'confirmed' : 'waiting',
        position: i + 1, attendance_mode: 'on_site', public_title: i % 2 === 0 ? 1 : 0, facilitator_message: null,
        token_hash: `test-${n}`, created_at: T0, updated_at: T0,
      }).execute()
    }
  }

  // Organisations with two contacts each, all invited to the measured session; the first contact to every session.
  await seedPartners(db, platform.id, Array.from({ length: 3 * scale }, (_, a) => ({
    name: `Organisation ${a + 1}`, kind: 'association' as const, themes: ['insertion'],
    contacts: [{ name: `Contact ${a}-A`, email: `a${a}@org.example.org` }, { name: `Contact ${a}-B`, email: `b${a}@org.example.org` }],
  })), T0)
  const contacts = await db.selectFrom('contact').select('id').orderBy('id').execute()
  const answers = ['on_site', 'remote', 'declined', 'on_site'] as const
  let first: { id: number } | null = null
  for (const [i, c] of contacts.entries()) {
    const inv = await insertInvitation(db, secret, { sessionId: target.id, contactId: c.id }, T0)
    first ??= inv
    if (i % 5 !== 4) await saveAnswer(db, inv!.id, { answer: answers[i % answers.length]!, comment: null, delegateName: null, delegateEmail: null }, T0)
  }
  const heavy = contacts[0]!.id
  for (const s of sessions) if (s.id !== target.id) await insertInvitation(db, secret, { sessionId: s.id, contactId: heavy }, T0)
  await db.updateTable('contact').set({ feed_token_hash: hashToken(personalToken(secret, 'feed-contact', heavy)) }).where('id', '=', heavy).execute()

  // What the last held session left (#14, #15): every contact present, two pieces of advice, a record and a
  // referral (with two events) per pitch; the journey's initiative pitched again at each earlier session.
  const held = sessions.find((s) => s.date === RECORD_DATE)!
  const partnerOf = new Map((await db.selectFrom('contact').select(['id', 'partner_id']).execute()).map((c) => [c.id, c.partner_id]))
  for (const c of contacts) {
    await db.insertInto('attendance').values({ session_id: held.id, contact_id: c.id, holder_id: null, partner_id: partnerOf.get(c.id)!, name: null, organisation: null, email: null, presence: 'on_site', recorded_by: null, created_at: T0, updated_at: T0 }).execute()
  }
  const heldPitches = await db.selectFrom('pitch').select(['id', 'initiative_id', 'holder_id']).where('session_id', '=', held.id).orderBy('position').execute()
  const journey = heldPitches[0]!
  for (const [i, s] of sessions.filter((x) => x.date < RECORD_DATE).entries()) {
    const pitch = await db.insertInto('pitch').values({
      session_id: s.id, initiative_id: journey.initiative_id, holder_id: journey.holder_id, status: 'confirmed', position: 100 + i,
      attendance_mode: 'on_site', public_title: 0, facilitator_message: null, token_hash: `journey-${s.id}`, created_at: T0, updated_at: T0,
    }).returning(['id', 'initiative_id', 'holder_id']).executeTakeFirstOrThrow()
    heldPitches.push(pitch)
  }
  for (const [i, pitch] of heldPitches.entries()) {
    await db.insertInto('attendance').values({ session_id: held.id, contact_id: null, holder_id: pitch.holder_id, partner_id: null, name: null, organisation: null, email: null, presence: 'on_site', recorded_by: null, created_at: T0, updated_at: T0 })
      .onConflict((oc) => oc.doNothing()).execute()
    for (const c of [contacts[i % contacts.length]!, contacts[(i + 1) % contacts.length]!]) {
      await db.insertInto('advice').values({ pitch_id: pitch.id, contact_id: c.id, partner_id: partnerOf.get(c.id)!, body: 'Voir le centre social.', source: 'table', author_name: null, recorded_by: null, created_at: T0 }).execute()
    }
    await db.insertInto('pitch_record').values({ pitch_id: pitch.id, summary: 'Présenté.', next_steps: 'Revenir.', stage_after: null, revisit: 0, revisit_session_id: null, revisit_offered_at: null, version: 1, updated_by: null, created_at: T0, updated_at: T0 }).execute()
    const c = contacts[(i + 2) % contacts.length]!
    const referral = await db.insertInto('referral').values({
      pitch_id: pitch.id, initiative_id: pitch.initiative_id, partner_id: partnerOf.get(c.id)!, contact_id: c.id, subject: 'Un local', follow_up_on: RECORD_DATE,
      status: i % 2 ? 'contacted' : 'proposed', token_hash: `referral-${pitch.id}`, reminded_at: null, created_by: null, created_at: T0, updated_at: T0,
    }).returning('id').executeTakeFirstOrThrow()
    for (const status of ['proposed', 'contacted'] as const) {
      await db.insertInto('referral_event').values({ referral_id: referral.id, status, note: 'Rendez-vous pris.', by_kind: 'partner', by_facilitator_id: null, by_contact_id: c.id, by_name: null, created_at: T0 }).execute()
    }
  }
  return { platform, rsvpToken: personalToken(secret, 'rsvp', first!.id, 0), feedToken: personalToken(secret, 'feed-contact', heavy), journeyId: journey.initiative_id }
}

async function world(scale: number): Promise<World> {
  const temp = await tempDatabase()
  const config = testConfig(temp.dataDir, { databaseUrl: temp.databaseUrl })
  const { platform, rsvpToken, feedToken, journeyId } = await seed(temp.db, config.sessionSecret, scale)
  await createFacilitator(temp.db, 'camille@test.example.org', [platform.id])
  const counter = new QueryCounter()
  const app = await buildApp({ config, db: temp.db.withPlugin(counter), clock: new TestClock(new Date(DEFAULT_NOW)).now, logger: false })
  const client = new Client(app)
  await client.login('camille@test.example.org')
  const p = (platform as Platform).slug
  return {
    temp, client,
    urls: {
      'platform home': `/${p}`,
      'session page': `/${p}/sessions/${DATE}`,
      'sessions.json': `/${p}/sessions.json`,
      'public feed': `/${p}/calendar.ics`,
      'personal feed': `/feeds/${feedToken}.ics`,
      'RSVP page': `/rsvp/${rsvpToken}`,
      "facilitator's session page": `/admin/p/${p}/sessions/${DATE}`,
      "facilitator's RSVP table": `/admin/p/${p}/sessions/${DATE}/partners`,
      'attendance screen': `/admin/p/${p}/sessions/${RECORD_DATE}/record/attendance`,
      'pitch record': `/admin/p/${p}/sessions/${RECORD_DATE}/record`,
      'Orientations': `/admin/p/${p}/referrals`,
      'minutes preview': `/admin/p/${p}/sessions/${RECORD_DATE}/minutes/preview`,
      'journey': `/admin/p/${p}/initiatives/${journeyId}/parcours`,
    },
    async count(url) {
      // Public pages are counted as an anonymous visitor sees them; facilitator pages with the login cookie.
      const get = () => (url.startsWith('/admin/') ? client.get(url) : app.inject({ method: 'GET', url }))
      await get()
      app.pageCache.clear()
      counter.executed.length = 0
      const res = await get()
      const sql = [...counter.executed]
      counter.executed.length = 0
      const again = await get()
      if (!url.startsWith('/admin/') && !url.startsWith('/rsvp/')) expect(again.rawPayload.equals(res.rawPayload), `${url}: the same bytes again`).toBe(true)
      return { queries: sql.length, cachedQueries: counter.executed.length, status: res.statusCode, bytes: res.rawPayload.length, sql }
    },
    async close() {
      await app.close() // destroys the shared driver; temp.close() tolerates that
      await temp.close()
    },
  }
}

describe('queries per page do not grow with the data (no N+1)', () => {
  const worlds = new Map<number, World>()
  beforeAll(async () => {
    for (const s of SCALES) worlds.set(s, await world(s))
  }, 120_000)
  afterAll(async () => {
    for (const w of worlds.values()) await w.close()
  })

  async function measure(page: string) {
    const [small, big] = await Promise.all(SCALES.map((s) => worlds.get(s)!.count(worlds.get(s)!.urls[page]!)))
    expect(small!.status, page).toBe(200)
    expect(big!.status, page).toBe(200)
    // The bigger platform really shows more (otherwise equal counts would prove nothing).
    expect(big!.bytes, `${page}: the page should grow with the data`).toBeGreaterThan(small!.bytes)
    return { small: small!, big: big! }
  }

  /** Same number of queries; on failure, the bigger page's queries are shown. */
  function expectSameCount(page: string, { small, big }: Awaited<ReturnType<typeof measure>>) {
    expect({ page, queries: big.queries, sql: big.queries === small.queries ? [] : big.sql })
      .toEqual({ page, queries: small.queries, sql: [] })
  }

  const facilitatorPages = ["facilitator's session page", "facilitator's RSVP table", 'attendance screen', 'pitch record', 'Orientations', 'minutes preview', 'journey']
  for (const page of ['platform home', 'session page', 'sessions.json', 'public feed', 'personal feed', 'RSVP page', ...facilitatorPages]) {
    it(page, async () => {
      const m = await measure(page)
      expectSameCount(page, m)
      // The record and the minutes preview gather a whole session's record (attendance, advice, referrals, records).
      expect(m.small.queries, `${page}: queries per request`).toBeLessThanOrEqual(page === 'pitch record' || page === 'minutes preview' ? 16 : 12)
      // Public pages and feeds come from memory until their platform changes. On SQLite they then cost no
      // query at all (nothing was written since: the platform's content version, or the link's owner, is
      // still known); on PostgreSQL, one (that lookup) — and the personal feed's rate limit, counted in the
      // database there. Facilitator and RSVP pages are rendered every time.
      const pg = Boolean(process.env.FABRIK_TEST_PG_URL)
      const expected = facilitatorPages.includes(page) || page === 'RSVP page' ? null
        : !pg ? 0
        : page === 'personal feed' ? 2 : 1
      for (const w of [m.small, m.big]) expect(w.cachedQueries, `${page}: queries when cached`).toBe(expected ?? w.queries)
    })
  }
})
