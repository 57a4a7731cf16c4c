import { describe, expect, it } from 'vitest'
import { skipWithoutDovecot } from '../helpers/dovecot.js'
import { recordAnswer } from '../../src/partners/invitations.js'
import { findInvitation } from '../../src/partners/invitation-store.js'
import { findSessionById } from '../../src/sessions/store.js'
import { applySessionChange } from '../../src/sessions/changes.js'
import { CLAIRE, deliverBounce, fixture, invitationOf, replies, thunderbird, withDovecot } from './world.js'

// The poller against a real Dovecot: replies are put in the ORGANIZER's inbox with IMAP APPEND, as a mail
// server would deliver them, and one poll reads them. Both databases (scripts/pg-test.sh runs this file on
// PostgreSQL). Clients' fixtures: test/replies/fixtures.

const PROCESSED = 'Fabrik/traités'

describe.skipIf(skipWithoutDovecot())('calendar replies from a real IMAP mailbox', () => {
  const { dovecot, setUp } = withDovecot()

  describe('each PARTSTAT', () => {
    it('ACCEPTED: on site, from the calendar; the message is flagged and filed in Fabrik/traités', async () => {
      const { w, mailbox, poll } = await setUp()
      await mailbox.append(thunderbird())
      expect(await poll()).toMatchObject({ status: 'done', read: 1, applied: 1, unmatched: 0 })
      const inv = (await invitationOf(w))!
      expect(inv).toMatchObject({ answer: 'on_site', answer_source: 'calendar', answered_at: '2026-11-24T16:05:44.000Z' })
      expect(await mailbox.list()).toEqual([])
      const filed = await mailbox.list(PROCESSED)
      expect(filed).toHaveLength(1)
      expect(filed[0]).toMatchObject({ seen: true })
      expect(await replies(w)).toMatchObject([{ kind: 'reply', outcome: 'applied', invitation_id: inv.id, moved: 1 }])
    })

    it('ACCEPTED for a session held by videoconference: remote', async () => {
      const { w, mailbox, poll } = await setUp({ mode: 'videoconference' })
      await mailbox.append(thunderbird())
      await poll()
      expect((await invitationOf(w))!.answer).toBe('remote')
    })

    it('DECLINED: does not come', async () => {
      const { w, mailbox, poll } = await setUp()
      await mailbox.append(thunderbird({ partstat: 'DECLINED' }))
      await poll()
      expect((await invitationOf(w))!.answer).toBe('declined')
    })

    it('TENTATIVE: "peut-être", counted with those who have not answered', async () => {
      const { w, mailbox, poll } = await setUp()
      await mailbox.append(thunderbird({ partstat: 'TENTATIVE' }))
      await poll()
      expect((await invitationOf(w))!.answer).toBe('tentative')
    })

    it('DELEGATED with DELEGATED-TO: the colleague gets their own invitation, as with "Je me fais remplacer"', async () => {
      const { w, mailbox, poll } = await setUp()
      const colleague = 'paul.lefebvre@caf.example.org'
      await mailbox.append(thunderbird({ partstat: `DELEGATED;DELEGATED-TO="mailto:${colleague}"`, extra: `ATTENDEE;CN=Paul Lefebvre;DELEGATED-FROM="mailto:${CLAIRE}";PARTSTAT=NEEDS-ACTION:mailto:${colleague}` }))
      expect(await poll()).toMatchObject({ applied: 1 })
      const inv = (await invitationOf(w))!
      expect(inv).toMatchObject({ answer: 'delegate', delegate_email: colleague, delegate_name: 'Paul Lefebvre', answer_source: 'calendar' })
      const theirs = (await invitationOf(w, colleague))!
      expect(theirs.delegated_from_id).toBe(inv.id)
      const mail = await w.t.db.selectFrom('outbox').selectAll().where('to_email', '=', colleague).execute()
      expect(mail).toMatchObject([{ kind: 'session.invitation', ical_method: 'REQUEST' }])
    })
  })

  it('a reply to an older SEQUENCE is recorded and filed, not applied', async () => {
    const { w, mailbox, poll } = await setUp()
    // A change sent to everyone: the session starts half an hour later.
    await applySessionChange(w.t.app.ctx, w.platform, w.sessionId, { start_time: '09:30' })
    expect(await findSessionById(w.t.db, w.sessionId)).toMatchObject({ sequence: 1, material_sequence: 1 })
    await mailbox.append(thunderbird({ sequence: 0 }))
    expect(await poll()).toMatchObject({ read: 1, applied: 0, unmatched: 0 })
    expect((await invitationOf(w))!.answer).toBe('none')
    expect(await replies(w)).toMatchObject([{ outcome: 'stale', reason: 'stale_sequence', sequence: 0 }])
    expect(await mailbox.list(PROCESSED)).toHaveLength(1)
  })

  it('a CANCEL sent to another partner (here a delegation) leaves the others\' replies to their copy applied', async () => {
    const { w, mailbox, poll } = await setUp()
    const karim = await w.t.db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id').select('invitation.id')
      .where('invitation.session_id', '=', w.sessionId).where('contact.email_key', '=', 'karim.benali@centres-sociaux.example.org').executeTakeFirstOrThrow()
    const session = (await findSessionById(w.t.db, w.sessionId))!
    const outcome = await recordAnswer(w.t.app.ctx, w.platform, session, (await findInvitation(w.t.db, karim.id))!,
      { answer: 'delegate', comment: null, delegate_name: 'Sofia Amrani', delegate_email: 'sofia.amrani@centres-sociaux.example.org' })
    expect(outcome).toEqual({ ok: true })
    // Karim's calendar copy was withdrawn with a higher SEQUENCE; Claire's copy still carries 0.
    expect((await findSessionById(w.t.db, w.sessionId))!.sequence).toBeGreaterThan(0)
    await mailbox.append(thunderbird({ sequence: 0 }))
    expect(await poll()).toMatchObject({ read: 1, applied: 1 })
    expect((await invitationOf(w))!).toMatchObject({ answer: 'on_site', answer_source: 'calendar' })
  })

  it('an ATTENDEE that was never invited is refused ("party crasher") and the message stays unread in the inbox', async () => {
    const { w, mailbox, poll } = await setUp()
    await mailbox.append(thunderbird({ attendee: 'intrus@example.net' }))
    expect(await poll()).toMatchObject({ read: 1, applied: 0, unmatched: 1 })
    expect(await w.t.db.selectFrom('invitation').select('answer').where('answer', '!=', 'none').execute()).toEqual([])
    expect(await replies(w)).toMatchObject([{ outcome: 'unmatched', reason: 'not_invited', attendee_email: 'intrus@example.net' }])
    expect(await mailbox.list()).toMatchObject([{ seen: false }])
  })

  it('a REPLY for an unknown UID stays in the inbox, unmatched', async () => {
    const { w, mailbox, poll } = await setUp()
    await mailbox.append(thunderbird({ uid: 'someone-elses-meeting@example.net' }))
    await poll()
    expect(await replies(w)).toMatchObject([{ outcome: 'unmatched', reason: 'unknown_uid', session_id: null }])
    expect(await mailbox.list()).toHaveLength(1)
  })

  it('a message without calendar part (a person writing back) stays in the inbox, unread', async () => {
    const { w, mailbox, poll } = await setUp()
    await mailbox.append(fixture('plain-answer'))
    await poll()
    expect(await replies(w)).toMatchObject([{ kind: 'other', outcome: 'unmatched', reason: 'no_calendar' }])
    expect(await mailbox.list()).toMatchObject([{ seen: false }])
    expect((await invitationOf(w))!.answer).toBe('none')
  })

  it('the IMAP server down: the poll fails and waits, the app keeps serving; once it is back nothing is lost', async () => {
    const { w, mailbox, poll } = await setUp()
    await mailbox.append(thunderbird())
    await dovecot().stop()
    try {
      const failed = await poll()
      expect(failed.status).toBe('failed')
      const state = (await w.t.db.selectFrom('calendar_reply_state').selectAll().executeTakeFirst())!
      expect(state).toMatchObject({ failures: 1, last_success_at: null })
      expect(state.last_error).toMatch(/ECONNREFUSED|connect/i)
      expect(state.next_attempt_at! > w.t.clock.now().toISOString()).toBe(true)
      // Within the backoff the poller does not try again; the pages answer all along.
      expect(await poll()).toMatchObject({ status: 'waiting' })
      expect((await w.t.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
      expect((await w.admin.get('/admin/p/test/courriers')).statusCode).toBe(200)
    } finally {
      await dovecot().start()
    }
    w.t.clock.advance(31_000)
    expect(await poll()).toMatchObject({ status: 'done', applied: 1 })
    expect((await invitationOf(w))!.answer).toBe('on_site')
    expect(await w.t.db.selectFrom('calendar_reply_state').selectAll().executeTakeFirst()).toMatchObject({ failures: 0, last_error: null })
  })

  it('the same REPLY twice is applied once: the same message again, and the same answer sent again', async () => {
    const { w, mailbox, poll } = await setUp()
    const raw = thunderbird()
    await mailbox.append(raw)
    await mailbox.append(raw)
    await mailbox.append(thunderbird({ messageId: '<sent-again-2@caf.example.org>' }))
    expect(await poll()).toMatchObject({ read: 3, applied: 1 })
    expect((await replies(w)).map((r) => r.outcome)).toEqual(['applied', 'older'])
    expect(await mailbox.list()).toEqual([])
    expect(await mailbox.list(PROCESSED)).toHaveLength(3)
    // A later poll finds nothing new: the cursor moved past them.
    expect(await poll()).toMatchObject({ read: 0 })
  })

  it('the latest answer stands: a link answer given after the calendar one wins, an older calendar reply does not', async () => {
    const { w, mailbox, poll } = await setUp()
    await w.t.db.updateTable('invitation').set({ answer: 'declined', answered_at: '2026-11-24T20:00:00.000Z' }).where('id', '=', w.invitationId).execute()
    await mailbox.append(thunderbird())
    await poll()
    expect((await invitationOf(w))!.answer).toBe('declined')
    expect(await replies(w)).toMatchObject([{ outcome: 'older', reason: 'superseded' }])
    await mailbox.append(thunderbird({ partstat: 'TENTATIVE', dtstamp: '20261125T080000Z', messageId: '<later@caf.example.org>' }))
    await poll()
    expect((await invitationOf(w))!).toMatchObject({ answer: 'tentative', answer_source: 'calendar' })
  })

  describe('one reply per client, as each sends it', () => {
    it.each([
      ['Outlook (Microsoft 365), "Accepter", the address in other case', 'outlook-accepted', { answer: 'on_site', answered_at: '2026-11-24T10:15:30.000Z' }],
      ['Gmail (Google Agenda), "Non"', 'gmail-declined', { answer: 'declined' }],
      ['Apple Calendar, "Peut-être"', 'apple-tentative', { answer: 'tentative' }],
      ['Thunderbird, "Accepter"', 'thunderbird-accepted', { answer: 'on_site' }],
    ])('%s', async (_client, file, expected) => {
      const { w, mailbox, poll } = await setUp()
      await mailbox.append(fixture(file))
      expect(await poll()).toMatchObject({ applied: 1 })
      expect((await invitationOf(w))!).toMatchObject(expected)
    })
  })

  it('a bounce of the invitation marks its address as failing', async () => {
    const { w, mailbox, poll } = await setUp()
    await deliverBounce(w, mailbox)
    await poll()
    const inv = (await invitationOf(w))!
    expect(inv.address_failed_at).not.toBeNull()
    expect(inv.address_failure).toMatch(/^5\.1\.1 — smtp; 550 5\.1\.1/)
    expect(await replies(w)).toMatchObject([{ kind: 'bounce', outcome: 'failing' }])
    expect(await mailbox.list(PROCESSED)).toHaveLength(1)
  })
})
