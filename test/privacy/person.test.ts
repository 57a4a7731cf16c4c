import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database, Db } from '../../src/db/schema.js'
import { emlName, outboxFolder } from '../../src/mail/transport.js'
import { erasePerson } from '../../src/privacy/erase.js'
import { exportPerson } from '../../src/privacy/export.js'
import { ERASED_NAME, PERSONAL } from '../../src/privacy/tables.js'
import { Client } from '../helpers/app.js'
import { inviteAll, SESSION_PAGE, world, type World } from '../partners/helpers.js'
import { bookConfirmed, bookingFields } from '../pitches/helpers.js'

// A holder who booked, was presented, got advice, a referral and mails, and a partner contact who was invited,
// answered, came and gave advice: everything held about each is exported; erased, their name, address and
// phone are in no table, page or stored message, their links answer 410, the figures stay, and again is a no-op.

const HOLDER = { name: 'Nadia Benali', email: 'nadia.benali@example.org', phone: '06 12 34 56 78' }
const CONTACT = { name: 'Hélène Dupré', email: 'helene.dupre@caf.example.org' }
const WALK_IN = { name: 'Yasmine Ouali', email: 'yasmine.ouali@asso.example.org' }
const AFTER = '2026-12-20T10:00:00.000Z'

/** Every row of every table, as one text to search. */
async function everything(db: Db): Promise<string> {
  const parts: string[] = []
  for (const table of Object.keys(PERSONAL) as Array<keyof Database>) {
    parts.push(JSON.stringify(await db.selectFrom(table).selectAll().execute()))
  }
  return parts.join('\n')
}

async function counts(db: Db) {
  const n = async (table: keyof Database) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)
  return { pitch: await n('pitch'), attendance: await n('attendance'), advice: await n('advice'), referral: await n('referral'), holder: await n('holder'), contact: await n('contact'), invitation: await n('invitation') }
}

/** Fails naming where the person still appears (a snippet around it), not with the whole text. */
function expectNone(text: string, who: { name: string; email: string; phone?: string }) {
  const lower = text.toLowerCase()
  for (const term of [who.name, who.email, ...(who.phone ? [who.phone, who.phone.replace(/ /g, '')] : [])]) {
    const at = lower.indexOf(term.toLowerCase())
    expect(at < 0 ? null : text.slice(Math.max(0, at - 300), at + 60), `"${term}" still appears`).toBeNull()
  }
}

describe('a person\'s data: export and erasure', () => {
  let w: World
  let pitchPage: string
  let rsvpPage: string
  let pitchId: number
  let holderId: number
  let contactId: number

  beforeEach(async () => {
    w = await world({ capacity: 30 })
    const { db } = w.t
    pitchPage = await bookConfirmed(w.t.app, db, `/test/sessions/2026-12-18/pitch`, bookingFields(1, {
      // A public title naming them: the public pages show it until the erasure scrubs it.
      holder_name: HOLDER.name, holder_email: HOLDER.email, holder_phone: HOLDER.phone, initiative_title: 'Les jardins de Nadia Benali', public_title: 'yes',
    }))
    const links = await inviteAll(w)
    rsvpPage = links.get(CONTACT.email)!
    const answered = await new Client(w.t.app).submit(rsvpPage, { answer: 'on_site', comment: `Je viendrai écouter ${HOLDER.name}.` })
    expect(answered.statusCode).toBe(303)
    const holder = await db.selectFrom('holder').selectAll().where('email_key', '=', HOLDER.email).executeTakeFirstOrThrow()
    const contact = await db.selectFrom('contact').selectAll().where('email_key', '=', CONTACT.email).executeTakeFirstOrThrow()
    holderId = holder.id
    contactId = contact.id
    pitchId = (await db.selectFrom('pitch').select('id').where('holder_id', '=', holder.id).executeTakeFirstOrThrow()).id
    // The session is held: attendance (the holder, the contact, a walk-in), advice, a record, a referral.
    w.t.clock.set(AFTER)
    await w.admin.login('camille@test.example.org') // the first login ended with the days that passed
    const now = AFTER
    const base = { session_id: w.sessionId, presence: 'on_site' as const, recorded_by: null, organisation: null, created_at: now, updated_at: now }
    await db.insertInto('attendance').values([
      { ...base, holder_id: holderId, contact_id: null, partner_id: null, name: null, email: null },
      { ...base, holder_id: null, contact_id: contactId, partner_id: contact.partner_id, name: null, email: null },
      { ...base, holder_id: null, contact_id: null, partner_id: null, name: WALK_IN.name, email: WALK_IN.email, organisation: 'Asso du quartier' },
    ]).execute()
    await db.insertInto('advice').values([
      { pitch_id: pitchId, contact_id: contactId, partner_id: contact.partner_id, body: `Madame Benali peut écrire à ${CONTACT.email}.`, source: 'table', author_name: null, recorded_by: null, created_at: now },
      { pitch_id: pitchId, contact_id: null, partner_id: null, body: 'Voir la mairie.', source: 'table', author_name: WALK_IN.name, recorded_by: null, created_at: now },
    ]).execute()
    await db.insertInto('pitch_record').values({ pitch_id: pitchId, summary: `${HOLDER.name} présente son jardin (${HOLDER.phone}).`, next_steps: null, stage_after: null, revisit_session_id: null, revisit_offered_at: null, updated_by: null, created_at: now, updated_at: now }).execute()
    const initiativeId = (await db.selectFrom('pitch').select('initiative_id').where('id', '=', pitchId).executeTakeFirstOrThrow()).initiative_id
    const referral = await db.insertInto('referral').values({ pitch_id: pitchId, initiative_id: initiativeId, partner_id: contact.partner_id, contact_id: contactId, subject: `Aide au local pour ${HOLDER.name}`, follow_up_on: null, share_contact: 1, token_hash: 'referral-hash-1', reminded_at: null, created_by: null, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow()
    await db.insertInto('referral_event').values({ referral_id: referral.id, status: 'contacted', note: `Appelé ${HOLDER.name}`, by_kind: 'partner', by_facilitator_id: null, by_contact_id: contactId, by_name: CONTACT.name, created_at: now }).execute()
  })
  afterEach(() => w.t.close())

  const deps = (email: string) => ({ db: w.t.db, platformId: w.platform.id, email, now: w.t.clock.now(), dataDir: w.t.dataDir, actor: { kind: 'operator' as const } })

  it('exports every record of a holder and of a contact, with the mails sent to them, and logs it without their data', async () => {
    const holder = await exportPerson({ ...deps(HOLDER.email), platform: { id: w.platform.id, slug: 'test' } })
    for (const table of ['holder', 'pitch', 'initiative', 'initiative_holder', 'attendance', 'advice', 'pitch_record', 'referral', 'referral_event', 'outbox']) {
      expect(holder.counts[table], table).toBeGreaterThan(0)
    }
    expect(holder.tables.holder![0]).toMatchObject({ name: HOLDER.name, email: HOLDER.email, phone: HOLDER.phone })
    expect(holder.tables.outbox!.every((m) => m.to_email === HOLDER.email)).toBe(true)
    expect(JSON.stringify(holder)).not.toMatch(/token_hash|form_nonce/)
    // The minutes or invitations to others that name them are referenced, not copied.
    expect(holder.namedIn.invitation).toEqual([{ id: 1, names_them_in: ['comment'] }])

    const contact = await exportPerson({ ...deps(CONTACT.email), platform: { id: w.platform.id, slug: 'test' } })
    for (const table of ['contact', 'invitation', 'attendance', 'advice', 'referral', 'referral_event', 'outbox']) expect(contact.counts[table], table).toBeGreaterThan(0)
    expect(contact.tables.invitation![0]).toMatchObject({ answer: 'on_site', comment: `Je viendrai écouter ${HOLDER.name}.` })

    const walkIn = await exportPerson({ ...deps(WALK_IN.email), platform: { id: w.platform.id, slug: 'test' } })
    expect(walkIn.tables.attendance).toHaveLength(1)

    const audit = await w.t.db.selectFrom('audit_event').selectAll().orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['person.export', 'person.export', 'person.export'])
    expect(audit[0]).toMatchObject({ actor_kind: 'operator', platform_id: w.platform.id, subject: `holder:${holderId}` })
    expectNone(JSON.stringify(audit), HOLDER)
    expectNone(JSON.stringify(audit), CONTACT)
  })

  it('erases a holder everywhere, keeps the figures, retires their links, and a second run changes nothing', async () => {
    const report = (await w.admin.get('/admin/p/test/report.json?year=2026'))
    const before = await counts(w.t.db)
    expect((await new Client(w.t.app).get(pitchPage)).statusCode).toBe(200)

    // The local copies (.eml) of the messages that held them go too.
    const sent = await w.t.db.selectFrom('outbox').select(['id', 'kind']).where('to_email', '=', HOLDER.email).execute()
    mkdirSync(outboxFolder(w.t.dataDir), { recursive: true })
    for (const row of sent) writeFileSync(join(outboxFolder(w.t.dataDir), emlName(row)), `To: ${HOLDER.email}\r\n`)
    const first = await erasePerson(deps(HOLDER.email))
    for (const row of sent) expect(existsSync(join(outboxFolder(w.t.dataDir), emlName(row)))).toBe(false)
    expect(first.changed.holder).toBe(1)
    expect(first.retiredLinks).toBeGreaterThan(0)

    expectNone(await everything(w.t.db), HOLDER)
    const holder = await w.t.db.selectFrom('holder').selectAll().where('id', '=', holderId).executeTakeFirstOrThrow()
    expect(holder).toMatchObject({ name: ERASED_NAME, email: null, phone: null, shares_contact: 0 })
    expect(await counts(w.t.db)).toEqual(before)
    expect(report.statusCode).toBe(200)
    expect((await w.admin.get('/admin/p/test/report.json?year=2026')).body).toBe(report.body)
    expect((await new Client(w.t.app).get(pitchPage)).statusCode).toBe(410)
    expect((await new Client(w.t.app).post(pitchPage, { action: 'withdraw' })).statusCode).toBe(410)
    // What the public and the facilitator see.
    for (const url of ['/test/sessions/2026-12-18', '/test/sessions.json', '/test/calendar.ics']) expectNone((await new Client(w.t.app).get(url)).body, HOLDER)
    for (const url of ['/admin/p/test/sessions/2026-12-18/pitches', SESSION_PAGE, '/admin/p/test/sessions/2026-12-18/print', '/admin/p/test/initiatives']) {
      const page = await w.admin.get(url)
      expect(page.statusCode, url).toBe(200)
      expectNone(page.body, HOLDER)
    }
    // The contact's own data is untouched by the holder's erasure.
    expect(await everything(w.t.db)).toContain(CONTACT.email)

    const snapshot = await everything(w.t.db)
    const second = await erasePerson(deps(HOLDER.email))
    expect(second).toEqual({ changed: {}, dropped: 0, retiredLinks: 0 })
    const withoutAudit = (s: string) => s.split('\n').filter((part) => !part.includes('"actor_kind"')).join('\n')
    expect(withoutAudit(await everything(w.t.db))).toBe(withoutAudit(snapshot))

    const audit = await w.t.db.selectFrom('audit_event').selectAll().orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['person.erase', 'person.erase'])
    expectNone(JSON.stringify(audit), HOLDER)
  })

  it('erases a contact: their queued mails are dropped, their RSVP link answers 410, their advice and presence still count', async () => {
    const before = await counts(w.t.db)
    const queued = await w.t.db.selectFrom('outbox').select('id').where('to_email', '=', CONTACT.email).where('status', '=', 'queued').execute()
    expect(queued.length).toBeGreaterThan(0)
    const report = await erasePerson(deps(CONTACT.email))
    expect(report.dropped).toBe(queued.length)
    expectNone(await everything(w.t.db), CONTACT)
    expect(await counts(w.t.db)).toEqual(before)
    const contact = await w.t.db.selectFrom('contact').selectAll().where('id', '=', contactId).executeTakeFirstOrThrow()
    expect(contact).toMatchObject({ name: ERASED_NAME, active: 0 })
    expect((await new Client(w.t.app).get(rsvpPage)).statusCode).toBe(410)
    expect((await new Client(w.t.app).post(rsvpPage, { answer: 'declined' })).statusCode).toBe(410)
    const page = await w.admin.get(SESSION_PAGE)
    expectNone(page.body, CONTACT)
    // The holder's data is still there.
    expect(await everything(w.t.db)).toContain(HOLDER.email)
  })

  it('erases a walk-in: their presence stays, nameless, and advice they gave loses their name', async () => {
    await erasePerson(deps(WALK_IN.email))
    expectNone(await everything(w.t.db), WALK_IN)
    const rows = await w.t.db.selectFrom('attendance').selectAll().where('session_id', '=', w.sessionId).execute()
    expect(rows).toHaveLength(3)
    expect(rows.find((r) => r.organisation === 'Asso du quartier')).toMatchObject({ name: ERASED_NAME, email: null })
    expect((await w.t.db.selectFrom('advice').select('author_name').where('body', '=', 'Voir la mairie.').executeTakeFirstOrThrow()).author_name).toBe(ERASED_NAME)
  })
})
