import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { insertInvitation } from '../../src/partners/invitation-store.js'
import { importContacts, listPartners, seedPartners } from '../../src/partners/store.js'
import { hashToken, personalToken } from '../../src/web/tokens.js'
import { createPlatform } from '../helpers/app.js'
import { tempDatabase, type TempDatabase } from '../helpers/db.js'
import { createSession, PARTNERS } from './helpers.js'

const NOW = '2026-11-01T00:00:00.000Z'

describe('partner store', () => {
  let temp: TempDatabase
  let platform: Platform
  beforeEach(async () => {
    temp = await tempDatabase()
    platform = await createPlatform(temp.db)
  })
  afterEach(() => temp.close())

  it('seeds partners idempotently', async () => {
    expect(await seedPartners(temp.db, platform.id, PARTNERS, NOW)).toEqual({ partners: 3, contacts: 5 })
    expect(await seedPartners(temp.db, platform.id, PARTNERS, NOW)).toEqual({ partners: 0, contacts: 0 })
    const list = await listPartners(temp.db, platform.id)
    expect(list.map((p) => [p.name, p.kind, p.themes, Number(p.contact_count)])).toEqual([
      ['CAF du Pas-de-Calais', 'public_body', 'financement,logement', 2],
      ['Département — Action sociale', 'local_authority', 'insertion', 1],
      ['Fédération des centres sociaux', 'association', 'jeunesse,culture', 2],
    ])
  })

  it('imports rows by folded organisation name and address, keeping what is known', async () => {
    await seedPartners(temp.db, platform.id, PARTNERS.slice(0, 1), NOW)
    const report = await importContacts(temp.db, platform.id, [
      { line: 2, organisation: 'caf du pas de calais', name: 'H. Dupré', email: 'HELENE.DUPRE@caf.example.org', phone: null, role: null },
      { line: 3, organisation: 'CAF du Pas-de-Calais', name: 'Nina Roux', email: 'nina.roux@caf.example.org', phone: '0321000000', role: null },
      { line: 4, organisation: 'Mission locale', name: 'Paul', email: 'paul@ml.example.org', phone: null, role: null },
    ], NOW)
    expect(report).toEqual({ partnersCreated: 1, contactsCreated: 2, contactsKnown: 1 })
    const helene = await temp.db.selectFrom('contact').selectAll().where('email_key', '=', 'helene.dupre@caf.example.org').executeTakeFirstOrThrow()
    expect(helene.name).toBe('Hélène Dupré')
  })

  it('creates an invitation once per contact and session, with the HMAC link hash', async () => {
    await seedPartners(temp.db, platform.id, PARTNERS.slice(0, 1), NOW)
    const sessionId = await createSession(temp.db, platform, '2026-12-18')
    const contact = await temp.db.selectFrom('contact').selectAll().orderBy('id').executeTakeFirstOrThrow()
    const first = await insertInvitation(temp.db, 'secret', { sessionId, contactId: contact.id }, NOW)
    expect(first!.token_hash).toBe(hashToken(personalToken('secret', 'rsvp', first!.id, 0)))
    expect(first!.partner_name).toBe('CAF du Pas-de-Calais')
    expect(await insertInvitation(temp.db, 'secret', { sessionId, contactId: contact.id }, NOW)).toBeNull()
  })
})
