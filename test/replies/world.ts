import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { inviteContacts } from '../../src/partners/invitations.js'
import { seedPartners } from '../../src/partners/store.js'
import { findSessionById } from '../../src/sessions/store.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { pollReplies, type PollResult } from '../../src/replies/poller.js'
import { startDovecot, type TestDovecot, type TestMailbox } from '../helpers/dovecot.js'
import { createSession, DATE } from '../partners/helpers.js'

// A platform with its session of 2026-12-18 09:00–12:00 (Paris) carrying the UID the fixtures answer, Claire
// Martin of the CAF invited to it (with two colleagues), the app reading `mailbox` as its REPLY_IMAP_URL,
// and a logged-in facilitator. The test clock starts on 2026-11-25, after the fixtures' DTSTAMPs (24 November).

export const UID = 'fabrik-20261218-7c3e9a41d2@fabrik.test'
export const CLAIRE = 'claire.martin@caf.example.org'
export const PAGE = `/admin/p/test/sessions/${DATE}/partners`
export const MAIL_PAGE = '/admin/p/test/courriers'
const T0 = '2026-11-01T00:00:00.000Z'
export const NOW = '2026-11-25T09:00:00.000Z'

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url))
export const fixture = (name: string): string => readFileSync(join(FIXTURES, `${name}.eml`), 'utf8')

/** A Thunderbird-shaped reply (8bit calendar part) with its PARTSTAT, SEQUENCE, attendee or UID changed. */
export function thunderbird(change: { partstat?: string; sequence?: number; attendee?: string; uid?: string; messageId?: string; dtstamp?: string; extra?: string } = {}): string {
  let raw = fixture('thunderbird-accepted')
  // Only the inline part is changed: the base64 invite.ics copy is dropped so both cannot disagree.
  raw = raw.replace(/--------------0Yc9QkP2m1ZbW7sTn3vRfA8x\r\nContent-Type: application\/ics[\s\S]*?(?=--------------0Yc9QkP2m1ZbW7sTn3vRfA8x--)/, '')
  // Unfolded (RFC 5545 §3.1: a long line may be folded anywhere), so a changed line is found whole.
  raw = raw.replace(/\r\n /g, '')
  if (change.partstat) raw = raw.replace('PARTSTAT=ACCEPTED', `PARTSTAT=${change.partstat}`)
  if (change.sequence !== undefined) raw = raw.replace('SEQUENCE:0', `SEQUENCE:${change.sequence}`)
  if (change.attendee) raw = raw.replace(`:mailto:${CLAIRE}`, `:mailto:${change.attendee}`)
  if (change.uid) raw = raw.replace(`UID:${UID}`, `UID:${change.uid}`)
  if (change.dtstamp) raw = raw.replace('DTSTAMP:20261124T160544Z', `DTSTAMP:${change.dtstamp}`)
  if (change.extra) raw = raw.replace('SEQUENCE:', `${change.extra}\r\nSEQUENCE:`)
  if (change.messageId) raw = raw.replace('<3f6a1c2e-9d84-4b7a-8e15-c0d2a9b7e641@caf.example.org>', change.messageId)
  return raw
}

export interface RepliesWorld {
  t: TestApp
  platform: Platform
  sessionId: number
  invitationId: number
  admin: Client
}

export async function repliesWorld(mailbox: TestMailbox | null, options: { mode?: 'in_person' | 'videoconference' } = {}): Promise<RepliesWorld> {
  const t = await buildTestApp({ now: NOW, config: { replyImapUrl: mailbox?.url ?? null } })
  const platform = await createPlatform(t.db)
  const sessionId = await createSession(t.db, platform, DATE)
  await t.db.updateTable('session').set({ uid: UID, mode: options.mode ?? 'in_person', video_url: options.mode === 'videoconference' ? 'https://visio.example.org/s' : null })
    .where('id', '=', sessionId).execute()
  await seedPartners(t.db, platform.id, [{
    name: 'CAF du Pas-de-Calais', kind: 'public_body', themes: [],
    contacts: [{ name: 'Claire Martin', email: CLAIRE }, { name: 'Marc Petit', email: 'marc.petit@caf.example.org' }],
  }, {
    name: 'Fédération des centres sociaux', kind: 'association', themes: [],
    contacts: [{ name: 'Karim Benali', email: 'karim.benali@centres-sociaux.example.org' }],
  }], T0)
  const session = (await findSessionById(t.db, sessionId))!
  await inviteContacts(t.app.ctx, platform, session, null)
  const invitation = await t.db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id')
    .select('invitation.id').where('contact.email_key', '=', CLAIRE).executeTakeFirstOrThrow()
  const admin = await facilitatorClient(t.app, t.db, [platform.id])
  return { t, platform, sessionId, invitationId: invitation.id, admin }
}

export const invitationOf = (w: RepliesWorld, email = CLAIRE) => w.t.db.selectFrom('invitation')
  .innerJoin('contact', 'contact.id', 'invitation.contact_id').selectAll('invitation')
  .where('invitation.session_id', '=', w.sessionId).where('contact.email_key', '=', email).executeTakeFirst()

export const replies = (w: RepliesWorld) => w.t.db.selectFrom('calendar_reply').selectAll().orderBy('id').execute()

/** The invitation mail sent to Claire gets the Message-ID the bounce fixture returns; the bounce is delivered. */
export async function deliverBounce(w: RepliesWorld, mailbox: TestMailbox): Promise<void> {
  const sent = await w.t.db.selectFrom('outbox').select('id').where('to_email', '=', CLAIRE).executeTakeFirstOrThrow()
  await w.t.db.updateTable('outbox').set({ message_id: '<outbox-5d0c6b1e2f3a4b5c6d7e8f90@fabrik.test>' }).where('id', '=', sent.id).execute()
  await mailbox.append(fixture('bounce'))
}

export interface MailboxWorld { w: RepliesWorld; mailbox: TestMailbox; poll: () => Promise<PollResult> }

/**
 * For a describe block against a real Dovecot: the server is started once for the block, and each test's
 * setUp() gives it a mailbox of its own and a world reading it, closed after the test.
 */
export function withDovecot(): { dovecot: () => TestDovecot; setUp: (options?: { mode?: 'in_person' | 'videoconference' }) => Promise<MailboxWorld> } {
  let dovecot: TestDovecot | undefined
  let w: RepliesWorld | null = null
  beforeAll(async () => { dovecot = await startDovecot() }, 30_000)
  afterAll(async () => { await dovecot?.close() })
  afterEach(async () => { await w?.t.close(); w = null })
  return {
    dovecot: () => dovecot!,
    async setUp(options = {}) {
      const mailbox = await dovecot!.mailbox()
      const world = await repliesWorld(mailbox, options)
      w = world
      return { w: world, mailbox, poll: () => pollReplies(world.t.app.ctx) }
    },
  }
}
