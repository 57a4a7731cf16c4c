import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Db, Platform } from '../../src/db/schema.js'
import { claimDue, enqueueMail, markFailed, markSent } from '../../src/mail/outbox.js'
import { markAddressFailing } from '../../src/partners/calendar-answers.js'
import { saveAnswer } from '../../src/partners/invitation-store.js'
import { buildTestApp, Client, createFacilitator, createPlatform, type TestApp } from '../helpers/app.js'
import { aBookedPitch, aCommune, anInvitedContact, aSession } from '../helpers/factories.js'

// The facilitator's home at a glance: the next session (not the cancelled one before it, not the one after)
// with its pitches and free slots, the partners' answers by kind, the mails that failed (a bounced invitation
// and a message the worker gave up on); one line per platform on "Mes plateformes". The same number of queries
// whatever the data.

const NOW = '2026-11-23T09:00:00.000Z'

/** Counts the queries that ran through the app's Kysely (each counted once it has run). */
class QueryCounter implements KyselyPlugin {
  executed = 0
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode { return args.node }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.executed++
    return args.result
  }
}

/** The next session of `platform` on 18 December, with two pitches, six answers, a bounce and a failed mail. */
async function buildNextSession(t: TestApp, platform: Platform) {
  const harnes = (await aCommune(t.db, platform, 'Harnes')).id
  await aSession(t.db, platform, { date: '2026-10-30', commune_id: harnes }) // held
  await aSession(t.db, platform, { date: '2026-11-27', status: 'cancelled' })
  const next = await aSession(t.db, platform, { date: '2026-12-18', commune_id: harnes })
  const later = await aSession(t.db, platform, { date: '2027-01-29' })
  const ctx = t.app.ctx
  await aBookedPitch(ctx, platform, next, `${platform.slug}-1`)
  await aBookedPitch(ctx, platform, next, `${platform.slug}-2`)
  await aBookedPitch(ctx, platform, later, `${platform.slug}-3`)
  const answers = ['on_site', 'on_site', 'remote', 'declined', 'tentative', null] as const
  const invitations: number[] = []
  for (const [i, answer] of answers.entries()) {
    const { invitation } = await anInvitedContact(t.db, t.config.sessionSecret, platform, next,
      { name: `Contact ${i}`, email: `contact${i}@${platform.slug}.example.org` }, `Organisation ${platform.slug} ${i}`)
    invitations.push(invitation.id)
    if (answer) await saveAnswer(t.db, invitation.id, { answer, comment: null, delegateName: null, delegateEmail: null }, NOW)
  }
  await anInvitedContact(t.db, t.config.sessionSecret, platform, later, { name: 'Ailleurs', email: `ailleurs@${platform.slug}.example.org` }, `Autre ${platform.slug}`)
  await markAddressFailing(t.db, invitations[5]!, '550 5.1.1 User unknown', NOW)
  const failed = (await enqueueMail(t.db, {
    kind: 'session.invitation', platformId: platform.id, sessionId: next, threadKey: null,
    to: { name: 'Contact 3', email: `contact3@${platform.slug}.example.org` }, subject: 'Invitation : séance du 18 décembre', text: 'x', html: '<p>x</p>',
  }, NOW, 'fabrik.test'))!
  for (const row of await claimDue(t.db, NOW, 60, 1000)) {
    if (row.id === failed) await markFailed(t.db, row.id, 'SMTP 550 mailbox unavailable')
    else await markSent(t.db, row.id, NOW, '250 ok')
  }
}

describe('the facilitator’s home at a glance', () => {
  let t: TestApp
  let counter: QueryCounter
  let c: Client
  let platform: Platform
  beforeEach(async () => {
    counter = new QueryCounter()
    t = await buildTestApp({ now: NOW, wrapDb: (db: Db) => db.withPlugin(counter) as Db })
    platform = await createPlatform(t.db)
    await createFacilitator(t.db, 'camille@test.example.org', [platform.id])
    c = new Client(t.app)
    await c.login('camille@test.example.org')
  })
  afterEach(() => t.close())

  async function queriesOf(url: string) {
    await c.get(url) // warm-up
    const before = counter.executed
    const res = await c.get(url)
    expect(res.statusCode).toBe(200)
    return { queries: counter.executed - before, body: res.body }
  }

  it('shows the next session’s pitches, free slots, answers by kind and failed mails, in a constant number of queries', async () => {
    const empty = await queriesOf('/admin/p/test')
    expect(empty.body).toContain('Aucune séance à venir.')
    await buildNextSession(t, platform)
    const sessionsBefore = await t.db.selectFrom('session').select('id').execute()
    const full = await queriesOf('/admin/p/test')
    expect(full.queries).toBe(empty.queries)
    expect(full.queries).toBeGreaterThan(6)
    const b = full.body
    expect(b).toContain('Vendredi 18 décembre 2026</strong></a>, 9 h – 12 h — Harnes')
    expect(b).toContain('data-count="held">2<')
    expect(b).toContain('data-count="free">1<')
    expect(b).toContain('Jardin partagé test-1 — Porteur test-1 (Confirmée)')
    expect(b).not.toContain('Jardin partagé test-3')
    const counts = Object.fromEntries([...b.matchAll(/data-answer-count="(\w+)">(\d+)</g)].map((m) => [m[1], Number(m[2])]))
    expect(counts).toEqual({ on_site: 2, remote: 1, declined: 1, none: 1, tentative: 1 })
    expect(b).toContain('6 partenaire(s) invité(s)')
    expect(b).toContain('data-count="failures">2<')
    expect(b).toContain('Invitation de Contact 5 (Organisation test 5) : adresse en échec — 550 5.1.1 User unknown')
    expect(b).toMatch(/data-failure="failed"><a href="\/admin\/p\/test\/courriers\/\d+">Invitation : séance du 18 décembre<\/a> à Contact 3 : non envoyé \(SMTP 550 mailbox unavailable\)/)
    // The session's answers table flags the bounced address too.
    expect((await c.get('/admin/p/test/sessions/2026-12-18/partners')).body).toContain('data-address="failing"')
    expect(await t.db.selectFrom('session').select('id').execute()).toEqual(sessionsBefore)
  })

  it('counts "sur place" as remote when the session is held by videoconference', async () => {
    await buildNextSession(t, platform)
    await t.db.updateTable('session').set({ mode: 'videoconference', video_url: 'https://visio.example.org/x' }).where('date', '=', '2026-12-18').execute()
    const b = (await c.get('/admin/p/test')).body
    expect(b).toContain('data-answer-count="on_site">0<')
    expect(b).toContain('data-answer-count="remote">3<')
  })

  it('gives one line per platform on "Mes plateformes", in the same number of queries for more data', async () => {
    const other = await createPlatform(t.db, { slug: 'autre', name: 'Autre plateforme' })
    await createFacilitator(t.db, 'camille@test.example.org', [platform.id, other.id])
    await buildNextSession(t, platform)
    const one = await queriesOf('/admin')
    expect(one.body).toContain('data-summary="test">Prochaine séance : vendredi 18 décembre 2026, Harnes (publiée) — 2 présentations, 1 créneau libre ; 2 sur place, 1 à distance, 1 ne vient pas, 1 pas de réponse, 1 peut-être ; 2 courriers en échec<')
    expect(one.body).toContain('data-summary="autre">Aucune séance à venir.<')
    await buildNextSession(t, other)
    const two = await queriesOf('/admin')
    expect(two.queries).toBe(one.queries)
    expect(two.body).toContain('data-summary="autre">Prochaine séance : vendredi 18 décembre 2026, Harnes (publiée) — 2 présentations')
  })
})
