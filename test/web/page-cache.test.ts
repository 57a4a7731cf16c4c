import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.js'
import { createDatabase } from '../../src/db/index.js'
import type { Db, Platform } from '../../src/db/schema.js'
import { insertInvitation } from '../../src/partners/invitation-store.js'
import { seedPartners } from '../../src/partners/store.js'
import { ensureCommune } from '../../src/platforms/store.js'
import { insertSession, type SessionInput } from '../../src/sessions/store.js'
import { PageCache } from '../../src/web/page-cache.js'
import { hashToken, personalToken } from '../../src/web/tokens.js'
import { buildTestApp, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'

// Public pages and feeds are answered from memory until their platform's content changes. Each test changes
// one watched table *directly in the database*, as another instance or a hand-made fix would: only the
// triggers can tell the cache, so a forgotten table would show stale content here.

const T0 = '2026-11-01T00:00:00.000Z'
const base: SessionInput = { date: '', start_time: '09:00', end_time: '12:00', commune_id: null, venue_id: null, mode: 'in_person', video_url: null, status: 'published', notes: null, moved_because: null }

async function version(db: Db, platformId: number): Promise<number> {
  const row = await db.selectFrom('content_version').select('version').where('platform_id', '=', platformId).executeTakeFirst()
  return row?.version ?? 0
}

describe('page cache: public pages and feeds rendered once per change', () => {
  let t: TestApp
  let p: Platform
  let sessionId: number
  let communeId: number
  let venueId: number
  const get = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers })

  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db, { slug: 'lens', name: 'Fabrik Lens' })
    communeId = (await ensureCommune(t.db, p.id, { name: 'Harnes', postcode: '62440' }, T0)).id
    venueId = (await t.db.insertInto('venue').values({ platform_id: p.id, commune_id: communeId, name: 'Salle des fêtes', address: '1 rue X', accessibility: null, capacity: 40, host_name: null, host_email: null, host_phone: null, created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()).id
    sessionId = await insertSession(t.db, p, { ...base, date: '2026-11-27', commune_id: communeId, venue_id: venueId }, 'fabrik.test', T0)
  })
  afterEach(() => t.close())

  it('answers the same bytes from memory', async () => {
    const first = await get('/lens')
    expect(first.statusCode).toBe(200)
    expect(t.app.pageCache.size.entries).toBe(1)
    const again = await get('/lens')
    expect(again.body).toBe(first.body)
    expect(again.headers['content-security-policy']).toBe(first.headers['content-security-policy'])
    expect(again.headers['content-type']).toBe('text/html; charset=utf-8')
    const head = await t.app.inject({ method: 'HEAD', url: '/lens' })
    expect(head.statusCode).toBe(200)
    expect(head.body).toBe('')
  })

  it('sees a change to each watched table at once', async () => {
    const home = () => get('/lens').then((r) => r.body)
    const page = () => get('/lens/sessions/2026-11-27').then((r) => r.body)
    const json = async () => JSON.parse((await get('/lens/sessions.json')).body) as Array<{ freePitchSlots: number; status: string }>
    await Promise.all([home(), page(), json()])

    await t.db.updateTable('platform').set({ name: 'Fabrik Lens-Liévin' }).where('id', '=', p.id).execute()
    expect(await home()).toContain('Fabrik Lens-Liévin')
    await t.db.updateTable('commune').set({ name: 'Harnes-Centre' }).where('id', '=', communeId).execute()
    expect(await home()).toContain('Harnes-Centre')
    await t.db.updateTable('venue').set({ name: 'Maison du peuple' }).where('id', '=', venueId).execute()
    expect(await home()).toContain('Maison du peuple')
    await t.db.updateTable('agenda_item').set({ title: 'Café d’accueil' }).where('session_id', '=', sessionId).where('kind', '=', 'welcome').execute()
    expect(await page()).toContain('Café d’accueil')

    // A confirmed pitch whose holder agreed to show its title, then its initiative renamed.
    const slots = (await json())[0]!.freePitchSlots
    const holder = await t.db.insertInto('holder').values({ platform_id: p.id, name: 'Awa', email: 'awa@test.example.org', email_key: 'awa@test.example.org', phone: null, kind: 'resident', commune_id: null, feed_token_hash: null, created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()
    const initiative = await t.db.insertInto('initiative').values({ platform_id: p.id, title: 'Jardin partagé', summary: 'Un jardin.', domain: null, needs: '', stage: null, commune_id: null, merged_into_id: null, created_at: T0, updated_at: T0 }).returning('id').executeTakeFirstOrThrow()
    await t.db.insertInto('pitch').values({ session_id: sessionId, initiative_id: initiative.id, holder_id: holder.id, status: 'confirmed', position: 1, attendance_mode: 'on_site', public_title: 1, facilitator_message: null, token_hash: 'x', created_at: T0, updated_at: T0 }).execute()
    expect(await page()).toContain('Jardin partagé')
    expect((await json())[0]!.freePitchSlots).toBe(slots - 1)
    await t.db.updateTable('initiative').set({ title: 'Jardin des voisins' }).where('id', '=', initiative.id).execute()
    expect(await page()).toContain('Jardin des voisins')

    await t.db.updateTable('session').set({ status: 'cancelled' }).where('id', '=', sessionId).execute()
    expect((await json())[0]!.status).toBe('cancelled')
    await t.db.deleteFrom('agenda_item').where('session_id', '=', sessionId).execute()
    await t.db.deleteFrom('pitch').where('session_id', '=', sessionId).execute()
    await t.db.deleteFrom('session').where('id', '=', sessionId).execute()
    expect((await get('/lens/sessions/2026-11-27')).statusCode).toBe(404)
    expect(await json()).toEqual([])
  })

  it('follows a change made by another process on the same database, at once', async () => {
    // Another connection — what a second instance, the mail worker or a hand-made fix uses. On SQLite this
    // process learns of its commits from PRAGMA data_version, without asking for the content version.
    const other = createDatabase({ dataDir: t.dataDir, databaseUrl: t.config.databaseUrl })
    try {
      expect((await get('/lens')).body).toContain('Salle des fêtes')
      await other.updateTable('venue').set({ name: 'Médiathèque' }).where('id', '=', venueId).execute()
      expect((await get('/lens')).body).toContain('Médiathèque')
      await other.updateTable('session').set({ status: 'cancelled' }).where('id', '=', sessionId).execute()
      expect((await get('/lens/sessions/2026-11-27')).body).toContain('Cette réunion est annulée')
    } finally {
      await other.destroy()
    }
    // A second app on the same database keeps its own memory and sees the same changes.
    const second = await buildApp({ config: t.config, db: t.db, clock: t.clock.now, logger: false })
    await second.inject({ method: 'GET', url: '/lens' })
    await t.db.updateTable('venue').set({ name: 'Maison des associations' }).where('id', '=', venueId).execute()
    expect((await second.inject({ method: 'GET', url: '/lens' })).body).toContain('Maison des associations')
  })

  it('follows the clock: a session reads as held within a minute of its end', async () => {
    t.clock.set('2026-11-27T10:59:30.000Z') // 11:59:30 in Paris, the session ends at 12:00
    expect((await get('/lens/sessions/2026-11-27')).body).not.toContain('Cette réunion a eu lieu')
    t.clock.set('2026-11-27T11:00:30.000Z')
    expect((await get('/lens/sessions/2026-11-27')).body).toContain('Cette réunion a eu lieu')
  })

  it('keeps neither errors nor what is personal to a visitor', async () => {
    expect((await get('/lens/sessions/2026-12-18')).statusCode).toBe(404)
    await insertSession(t.db, p, { ...base, date: '2026-12-18' }, 'fabrik.test', T0)
    expect((await get('/lens/sessions/2026-12-18')).statusCode).toBe(200)

    // A facilitator's view of a public page (their name in the header) is neither kept nor served to them.
    await get('/lens')
    const camille = await facilitatorClient(t.app, t.db, [p.id])
    const theirs = await camille.get('/lens')
    const anonymous = await get('/lens')
    expect(theirs.body).not.toBe(anonymous.body)
    expect(anonymous.body).not.toContain('camille@test.example.org')
    expect((await get('/lens')).body).toBe(anonymous.body)

    // A URL with a query string is rendered, not kept (no cache filled by made-up URLs).
    const before = t.app.pageCache.size.entries
    await get('/lens?x=1')
    await get('/lens?x=2')
    expect(t.app.pageCache.size.entries).toBe(before)
  })

  it('revalidates a cached feed with its ETag', async () => {
    const first = await get('/lens/calendar.ics')
    const etag = first.headers.etag as string
    const cached = await get('/lens/calendar.ics', { 'if-none-match': etag })
    expect(cached.statusCode).toBe(304)
    expect(cached.body).toBe('')
    await t.db.updateTable('session').set({ start_time: '09:30' }).where('id', '=', sessionId).execute()
    const changed = await get('/lens/calendar.ics', { 'if-none-match': etag })
    expect(changed.statusCode).toBe(200)
    expect(changed.headers.etag).not.toBe(etag)
  })

  it('personal feed: a new invitation shows, a revoked link answers 404, reminders change nothing', async () => {
    await seedPartners(t.db, p.id, [{ name: 'CAF', kind: 'public_body', themes: ['famille'], contacts: [{ name: 'Lou', email: 'lou@caf.example.org' }] }], T0)
    const contact = await t.db.selectFrom('contact').select('id').executeTakeFirstOrThrow()
    const token = personalToken(t.config.sessionSecret, 'feed-contact', contact.id)
    await t.db.updateTable('contact').set({ feed_token_hash: hashToken(token) }).where('id', '=', contact.id).execute()
    const feed = () => get(`/feeds/${token}.ics`)
    expect((await feed()).body).not.toContain('20261127')
    const invitation = await insertInvitation(t.db, t.config.sessionSecret, { sessionId, contactId: contact.id }, T0)
    expect((await feed()).body).toContain('20261127')

    const v = await version(t.db, p.id)
    await t.db.updateTable('invitation').set({ reminded_at: '2026-11-20T08:00:00.000Z' }).where('id', '=', invitation!.id).execute()
    expect(await version(t.db, p.id)).toBe(v)

    await t.db.updateTable('contact').set({ feed_token_hash: null }).where('id', '=', contact.id).execute()
    expect((await feed()).statusCode).toBe(404)
  })
})

describe('PageCache', () => {
  const entry = (stamp: string, size: number) => ({ stamp, headers: {}, body: Buffer.alloc(size), etag: undefined })

  it('forgets an entry whose stamp has changed', () => {
    const cache = new PageCache(1000)
    cache.set('/a', entry('1@x', 10))
    expect(cache.get('/a', '1@x')).toBeDefined()
    expect(cache.get('/a', '2@x')).toBeUndefined()
    expect(cache.size).toEqual({ entries: 0, bytes: 0 })
  })

  it('drops the least recently used entries beyond its size', () => {
    const cache = new PageCache(1000)
    cache.set('/a', entry('s', 200))
    cache.set('/b', entry('s', 200))
    cache.set('/c', entry('s', 200))
    cache.get('/a', 's') // /a is now the most recent
    cache.set('/d', entry('s', 200))
    cache.set('/e', entry('s', 200))
    cache.set('/f', entry('s', 200))
    expect(cache.get('/b', 's')).toBeUndefined()
    expect(cache.get('/a', 's')).toBeDefined()
    expect(cache.size.bytes).toBeLessThanOrEqual(1000)
    cache.set('/huge', entry('s', 600)) // over a quarter of the whole: never kept
    expect(cache.get('/huge', 's')).toBeUndefined()
  })
})
