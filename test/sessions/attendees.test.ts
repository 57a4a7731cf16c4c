import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { linkUrl } from '../../src/mail/links.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'
import { aBookedPitch, aSession, anInvitedContact, linkToken } from '../helpers/factories.js'

// The attendees provider app.ts hands sessions/ (src/attendees.ts): partners' invited contacts, then
// pitches' confirmed holders, one filtered query each; and each recipient's feed hash written by its owner.

describe('ctx.attendees', () => {
  let t: TestApp
  let platform: Platform
  let sessionId: number
  beforeEach(async () => {
    t = await buildTestApp()
    platform = await createPlatform(t.db)
    sessionId = await aSession(t.db, platform)
  })
  afterEach(() => t.close())

  it('lists invited contacts, then holders of confirmed pitches, one without an address at the platform mailbox, in order', async () => {
    const helene = await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId)
    await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId, { name: 'Marc Petit', email: 'marc.petit@caf.example.org' })
    const booked = await aBookedPitch(t.app.ctx, platform, sessionId, 1)
    await aBookedPitch(t.app.ctx, platform, sessionId, 2, { email: null, phone: '06 12 34 56 78' })
    expect(booked.status).toBe('confirmed')
    const all = await t.app.ctx.attendees(t.db, sessionId)
    expect(all.map((r) => r.email)).toEqual(['helene.dupre@caf.example.org', 'marc.petit@caf.example.org', 'porteur1@example.org', 'animation@test.example.org'])
    expect(all[0]!.key).toBe(`contact:${helene.contact.id}`)
    const url = (i: number) => linkUrl(t.config.sessionSecret, t.config.publicUrl, all[i]!.personalLink!)
    expect(url(0)).toBe(`http://fabrik.test/rsvp/${linkToken(t.config, 'rsvp', helene.invitation.id).token}`)
    expect(url(2)).toBe(`http://fabrik.test/pitch/${linkToken(t.config, 'pitch', booked.pitchId).token}`)
  })

  it('filters: only contacts who said they come, and only those settled by an instant', async () => {
    const helene = await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId)
    const marc = await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId, { name: 'Marc Petit', email: 'marc.petit@caf.example.org' })
    await t.db.updateTable('invitation').set({ answer: 'remote', answered_at: '2026-11-10T00:00:00.000Z' }).where('id', '=', helene.invitation.id).execute()
    await t.db.updateTable('invitation').set({ answer: 'declined', answered_at: '2026-11-10T00:00:00.000Z' }).where('id', '=', marc.invitation.id).execute()
    await aBookedPitch(t.app.ctx, platform, sessionId, 1) // confirmed at the test clock's now (2026-11-23)
    const emails = async (filter: Parameters<typeof t.app.ctx.attendees>[2]) => (await t.app.ctx.attendees(t.db, sessionId, filter)).map((r) => r.email)
    expect(await emails({ coming: true })).toEqual(['helene.dupre@caf.example.org', 'porteur1@example.org'])
    expect(await emails({ coming: true, settledBy: '2026-11-20T00:00:00.000Z' })).toEqual(['helene.dupre@caf.example.org'])
    expect(await emails({ settledBy: '2026-11-01T00:00:00.000Z' })).toEqual([])
  })

  it('each owner stores its feed hash once: a stored hash is kept', async () => {
    const helene = await anInvitedContact(t.db, t.config.sessionSecret, platform, sessionId)
    const booked = await aBookedPitch(t.app.ctx, platform, sessionId, 1)
    const pitch = await t.db.selectFrom('pitch').select('holder_id').where('id', '=', booked.pitchId).executeTakeFirstOrThrow()
    // The booking's email already carried the holder's feed link.
    expect((await t.db.selectFrom('holder').select('feed_token_hash').where('id', '=', pitch.holder_id).executeTakeFirstOrThrow()).feed_token_hash)
      .toBe(linkToken(t.config, 'feed-holder', pitch.holder_id).hash)
    const [contact] = await t.app.ctx.attendees(t.db, sessionId)
    await contact!.rememberFeed(t.db)
    const stored = () => t.db.selectFrom('contact').select('feed_token_hash').where('id', '=', helene.contact.id).executeTakeFirstOrThrow()
    expect((await stored()).feed_token_hash).toBe(linkToken(t.config, 'feed-contact', helene.contact.id).hash)
    await t.db.updateTable('contact').set({ feed_token_hash: 'kept' }).where('id', '=', helene.contact.id).execute()
    await contact!.rememberFeed(t.db)
    expect((await stored()).feed_token_hash).toBe('kept')
  })
})
