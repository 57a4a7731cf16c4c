import { describe, expect, it } from 'vitest'
import { answerSource } from '../../src/partners/calendar-answers.js'
import { answerOfPartstat, decideReply, nameFromAddress, type InvitationFacts, type SessionFacts } from '../../src/replies/decide.js'
import { deliveryFailures, readInbound } from '../../src/replies/inbound.js'
import { type ItipReply, readItipReply, replyingAttendee } from '../../src/replies/itip-reply.js'
import { backoffSeconds, imapTarget } from '../../src/replies/poller.js'
import { CLAIRE, fixture, UID } from './world.js'

// The pure parts: reading a REPLY and a bounce, and what a reply does (no database, no IMAP).

const NOW = new Date('2026-11-25T09:00:00.000Z')
const session: SessionFacts = { status: 'published', starts_at: '2026-12-18T08:00:00.000Z', ends_at: '2026-12-18T11:00:00.000Z', sequence: 0, material_sequence: 0, mode: 'in_person' }
const invitation: InvitationFacts = { answer: 'none', answered_at: null, contact_email: 'Claire.Martin@caf.example.org' }

function reply(partstat = 'ACCEPTED', more: Partial<ItipReply> = {}): ItipReply {
  return {
    uid: UID, sequence: 0, dtstamp: '2026-11-24T16:05:44.000Z', comment: null, recurrenceId: false,
    attendees: [{ email: CLAIRE, name: 'Claire Martin', partstat, delegatedTo: [], delegatedFrom: [] }], ...more,
  }
}

describe('decideReply', () => {
  it('applies an invited attendee\'s answer to the current SEQUENCE, at its DTSTAMP', () => {
    expect(decideReply(reply(), session, invitation, NOW)).toEqual({ outcome: 'applied', answer: 'on_site', answeredAt: '2026-11-24T16:05:44.000Z', comment: null, delegate: null })
  })

  it('maps each PARTSTAT, "Accepter" reading remote for a session held by videoconference', () => {
    expect(answerOfPartstat('ACCEPTED', 'hybrid')).toBe('on_site')
    expect(answerOfPartstat('ACCEPTED', 'videoconference')).toBe('remote')
    expect(answerOfPartstat('DECLINED', 'in_person')).toBe('declined')
    expect(answerOfPartstat('TENTATIVE', 'in_person')).toBe('tentative')
    expect(answerOfPartstat('DELEGATED', 'in_person')).toBe('delegate')
    expect(answerOfPartstat('NEEDS-ACTION', 'in_person')).toBeNull()
    expect(decideReply(reply('NEEDS-ACTION'), session, invitation, NOW)).toEqual({ outcome: 'unmatched', reason: 'unknown_partstat' })
  })

  it('refuses what it cannot match: unknown UID, a party crasher, several answering attendees, one occurrence', () => {
    expect(decideReply(reply(), null, null, NOW)).toEqual({ outcome: 'unmatched', reason: 'unknown_uid' })
    expect(decideReply(reply(), session, null, NOW)).toEqual({ outcome: 'unmatched', reason: 'not_invited' })
    const two = reply('ACCEPTED', { attendees: [...reply().attendees, { email: 'b@example.org', name: null, partstat: 'ACCEPTED', delegatedTo: [], delegatedFrom: [] }] })
    expect(decideReply(two, session, invitation, NOW)).toEqual({ outcome: 'unmatched', reason: 'no_attendee' })
    expect(decideReply(reply('ACCEPTED', { recurrenceId: true }), session, invitation, NOW)).toEqual({ outcome: 'unmatched', reason: 'occurrence' })
  })

  it('judges the SEQUENCE against the last change sent to everyone, not a CANCEL sent to someone else', () => {
    // Two CANCELs to other partners (an uninvite, a delegation) raised the session's SEQUENCE to 2: this
    // partner's copy still carries 0, the last change everyone received.
    expect(decideReply(reply(), { ...session, sequence: 2, material_sequence: 0 }, invitation, NOW)).toMatchObject({ outcome: 'applied', answer: 'on_site' })
    expect(decideReply(reply(), { ...session, sequence: 2, material_sequence: 1 }, invitation, NOW)).toEqual({ outcome: 'stale', reason: 'stale_sequence' })
  })

  it('orders by SEQUENCE first (RFC 5546 §2.1.5), then by when each answer was given', () => {
    expect(decideReply(reply(), { ...session, sequence: 2, material_sequence: 2 }, invitation, NOW)).toEqual({ outcome: 'stale', reason: 'stale_sequence' })
    expect(decideReply(reply('ACCEPTED', { sequence: 3 }), { ...session, sequence: 2, material_sequence: 2 }, invitation, NOW)).toEqual({ outcome: 'unmatched', reason: 'future_sequence' })
    expect(decideReply(reply(), session, { ...invitation, answered_at: '2026-11-24T16:05:44.000Z' }, NOW)).toEqual({ outcome: 'older', reason: 'superseded' })
    expect(decideReply(reply(), session, { ...invitation, answered_at: '2026-11-24T16:05:43.000Z' }, NOW)).toMatchObject({ outcome: 'applied' })
  })

  it('takes a DTSTAMP in the future, or none, as now', () => {
    expect(decideReply(reply('ACCEPTED', { dtstamp: '2030-01-01T00:00:00.000Z' }), session, invitation, NOW)).toMatchObject({ answeredAt: NOW.toISOString() })
    expect(decideReply(reply('ACCEPTED', { dtstamp: null }), session, invitation, NOW)).toMatchObject({ answeredAt: NOW.toISOString() })
  })

  it('does not apply an answer once the session has started or was cancelled', () => {
    expect(decideReply(reply(), { ...session, status: 'cancelled' }, invitation, NOW)).toEqual({ outcome: 'stale', reason: 'session_closed' })
    expect(decideReply(reply(), session, invitation, new Date('2026-12-18T08:30:00.000Z'))).toEqual({ outcome: 'stale', reason: 'session_closed' })
  })

  it('DELEGATED names the colleague of DELEGATED-TO, by their CN when the client adds them, else from the address', () => {
    const delegated = reply('DELEGATED', { attendees: [{ ...reply('DELEGATED').attendees[0]!, delegatedTo: ['paul.lefebvre@caf.example.org'] }] })
    expect(decideReply(delegated, session, invitation, NOW)).toMatchObject({ outcome: 'applied', answer: 'delegate', delegate: { name: 'Paul Lefebvre', email: 'paul.lefebvre@caf.example.org' } })
    expect(decideReply(reply('DELEGATED'), session, invitation, NOW)).toEqual({ outcome: 'unmatched', reason: 'no_delegate' })
    expect(nameFromAddress('jean-marc.dupont@x.org')).toBe('Jean-Marc Dupont')
    expect(nameFromAddress('j2@x.org')).toBe('J')
    expect(nameFromAddress('1234@x.org')).toBe('Collègue')
  })
})

describe('readItipReply', () => {
  it('reads UID, SEQUENCE, DTSTAMP and the attendee of a REPLY, addresses in lower case without mailto:', () => {
    const read = readItipReply([
      'BEGIN:VCALENDAR', 'METHOD:REPLY', 'VERSION:2.0', 'PRODID:-//t//t//EN', 'BEGIN:VEVENT', `UID:${UID}`, 'DTSTAMP:20261124T101530Z',
      'ATTENDEE;PARTSTAT=delegated;DELEGATED-TO="mailto:Paul@X.org":MAILTO:Claire.Martin@CAF.example.org', 'COMMENT:Avec plaisir', 'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n'))
    expect(read).toEqual({ ok: true, reply: {
      uid: UID, sequence: 0, dtstamp: '2026-11-24T10:15:30.000Z', comment: 'Avec plaisir', recurrenceId: false,
      attendees: [{ email: CLAIRE, name: null, partstat: 'DELEGATED', delegatedTo: ['paul@x.org'], delegatedFrom: [] }],
    } })
  })

  it('refuses what is not a REPLY, or not iCalendar', () => {
    expect(readItipReply('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n')).toEqual({ ok: false, reason: 'not_reply' })
    expect(readItipReply('hello')).toEqual({ ok: false, reason: 'bad_calendar' })
  })

  it('the delegate a client lists beside the delegator (DELEGATED-FROM) is not the one answering', () => {
    const r = reply('DELEGATED', { attendees: [{ ...reply().attendees[0]! }, { email: 'paul@x.org', name: 'Paul', partstat: 'NEEDS-ACTION', delegatedTo: [], delegatedFrom: [CLAIRE] }] })
    expect(replyingAttendee(r)?.email).toBe(CLAIRE)
  })
})

describe('readInbound', () => {
  it('finds the calendar part of each client\'s message', async () => {
    for (const [name, partstat] of [['outlook-accepted', 'ACCEPTED'], ['gmail-declined', 'DECLINED'], ['apple-tentative', 'TENTATIVE'], ['thunderbird-accepted', 'ACCEPTED']]) {
      const inbound = await readInbound(Buffer.from(fixture(name!)))
      expect(inbound.kind, name).toBe('reply')
      if (inbound.kind !== 'reply' || !inbound.calendar.ok) throw new Error(name)
      expect(inbound.calendar.reply).toMatchObject({ uid: UID, sequence: 0 })
      expect(replyingAttendee(inbound.calendar.reply)).toMatchObject({ email: CLAIRE, partstat })
    }
  })

  it('a person\'s message is "other"; a bounce gives the returned Message-ID and the failed recipient', async () => {
    expect((await readInbound(Buffer.from(fixture('plain-answer')))).kind).toBe('other')
    const bounce = await readInbound(Buffer.from(fixture('bounce')))
    expect(bounce).toMatchObject({ kind: 'bounce', originalMessageId: '<outbox-5d0c6b1e2f3a4b5c6d7e8f90@fabrik.test>' })
    expect(deliveryFailures(fixture('bounce'))).toEqual([{
      recipient: CLAIRE, action: 'failed', status: '5.1.1',
      diagnostic: 'smtp; 550 5.1.1 <claire.martin@caf.example.org>: Recipient address rejected: User unknown in virtual mailbox table',
    }])
  })
})

describe('the poller\'s small rules', () => {
  it('takes REPLY_IMAP_URL apart and names the mailbox without its password', () => {
    expect(imapTarget('imaps://fabrik%40asso.example.org:s3cr%2Ft@imap.example.org/INBOX')).toEqual({
      host: 'imap.example.org', port: 993, secure: true, user: 'fabrik@asso.example.org', pass: 's3cr/t', folder: 'INBOX',
      mailbox: 'fabrik@asso.example.org@imap.example.org:993/INBOX',
    })
    expect(imapTarget('imap://u:p@127.0.0.1:1143')).toMatchObject({ port: 1143, secure: false, folder: 'INBOX' })
  })

  it('waits longer after each failure, at most half an hour', () => {
    expect([1, 2, 3, 10, 20].map(backoffSeconds)).toEqual([30, 60, 120, 1800, 1800])
  })

  it('an answer reads as from the calendar until a link answer moves answered_at', () => {
    expect(answerSource({ answered_at: 'a', calendar_answered_at: 'a' })).toBe('calendar')
    expect(answerSource({ answered_at: 'b', calendar_answered_at: 'a' })).toBe('link')
    expect(answerSource({ answered_at: 'a', calendar_answered_at: null })).toBe('link')
  })
})
