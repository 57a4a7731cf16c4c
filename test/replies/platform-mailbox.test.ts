import { describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { inviteContacts } from '../../src/partners/invitations.js'
import { seedPartners } from '../../src/partners/store.js'
import { findSessionById } from '../../src/sessions/store.js'
import { type Client, createPlatform, facilitatorClient } from '../helpers/app.js'
import { skipWithoutDovecot, type TestMailbox } from '../helpers/dovecot.js'
import { createSession, DATE } from '../partners/helpers.js'
import { CLAIRE, fixture, invitationOf, MAIL_PAGE, type RepliesWorld, thunderbird, withDovecot } from './world.js'
import { settingsValues } from '../helpers/settings.js'

// Tracker 23: a platform whose contact mailbox differs sets its own IMAP mailbox on its settings page (the
// password sealed, never shown back, an empty field keeps it). The poller reads the instance's REPLY_IMAP_URL
// and every platform's own: a reply in platform B's mailbox is applied to B, and what B's mailbox holds that
// Fabrik cannot match is listed on B's mail page only.

const UID_B = 'fabrik-20261218-b0b0b0b0b0@fabrik.test'
const LEA = 'lea.dupont@ccas-arlon.example.org'
const B_SETTINGS = '/admin/p/autre/settings'
const B_MAIL = '/admin/p/autre/courriers'

async function platformB(w: RepliesWorld): Promise<{ platform: Platform; admin: Client }> {
  const platform = await createPlatform(w.t.db, { slug: 'autre', name: 'Fabrique d’Arlon', contact_email: 'contact@arlon.example.org' })
  const sessionId = await createSession(w.t.db, platform, DATE)
  await w.t.db.updateTable('session').set({ uid: UID_B }).where('id', '=', sessionId).execute()
  await seedPartners(w.t.db, platform.id, [{ name: 'CCAS d’Arlon', kind: 'public_body', themes: [], contacts: [{ name: 'Léa Dupont', email: LEA }] }], '2026-11-01T00:00:00.000Z')
  await inviteContacts(w.t.app.ctx, platform, (await findSessionById(w.t.db, sessionId))!, null)
  return { platform, admin: await facilitatorClient(w.t.app, w.t.db, [platform.id], 'sam@arlon.example.org') }
}

const withoutPassword = (m: TestMailbox) => m.url.replace(`:${m.password}@`, '@')

describe.skipIf(skipWithoutDovecot())('a platform\'s own mailbox (real Dovecot)', () => {
  const { dovecot, setUp } = withDovecot()

  it('is set on the settings page, its password never shown back, and its replies applied to that platform only', async () => {
    const { w, mailbox: instance, poll } = await setUp()
    const b = await platformB(w)
    const own = await dovecot().mailbox()

    // No password yet: refused, the form filled in again, the typed URL kept, the password not.
    const missing = await b.admin.submit(B_SETTINGS, settingsValues(b.platform, { reply_imap_url: withoutPassword(own) }))
    expect(missing.statusCode).toBe(400)
    expect(missing.body).toContain('Indiquez le mot de passe')
    const saved = await b.admin.submit(B_SETTINGS, settingsValues(b.platform, { reply_imap_url: withoutPassword(own), reply_imap_password: own.password }))
    expect(saved.statusCode).toBe(303)
    const stored = await w.t.db.selectFrom('platform').select(['reply_imap_url', 'reply_imap_secret']).where('slug', '=', 'autre').executeTakeFirstOrThrow()
    expect(stored.reply_imap_url).toBe(withoutPassword(own))
    expect(stored.reply_imap_secret).toMatch(/^v1\./)
    expect(stored.reply_imap_secret).not.toContain(own.password)
    const form = await b.admin.get(B_SETTINGS)
    expect(form.body).toContain('data-password="stored"')
    expect(form.body).toContain('Un mot de passe est enregistré')
    // Saved again with the field empty: the password is kept.
    expect((await b.admin.submit(B_SETTINGS, settingsValues(b.platform, { reply_imap_url: withoutPassword(own) }))).statusCode).toBe(303)
    expect((await w.t.db.selectFrom('platform').select('reply_imap_secret').where('slug', '=', 'autre').executeTakeFirstOrThrow()).reply_imap_secret).toBe(stored.reply_imap_secret)

    // Léa's "Accepter" in B's mailbox, a person writing to B, and a reply naming A's session (not B's to apply).
    await own.append(thunderbird({ uid: UID_B, attendee: LEA, messageId: '<lea-accepts@ccas-arlon.example.org>' }))
    await own.append(fixture('plain-answer'))
    await own.append(thunderbird({ messageId: '<claire-in-b@caf.example.org>' }))
    // The instance's mailbox (A's) holds a message for nobody known.
    await instance.append(fixture('plain-answer').replace('To: Animatrice Test <animation@test.example.org>', 'To: quelqu.un@ailleurs.example.org'))
    expect(await poll()).toMatchObject({ status: 'done', read: 4, applied: 1 })

    const lea = await w.t.db.selectFrom('invitation').innerJoin('contact', 'contact.id', 'invitation.contact_id').select(['invitation.answer', 'invitation.answer_source'])
      .where('contact.email_key', '=', LEA).executeTakeFirstOrThrow()
    expect(lea).toEqual({ answer: 'on_site', answer_source: 'calendar' })
    expect((await invitationOf(w, CLAIRE))!.answer).toBe('none')
    expect((await own.list('Fabrik/traités')).map((m) => m.messageId)).toEqual(['<lea-accepts@ccas-arlon.example.org>'])

    const bMail = await b.admin.get(B_MAIL)
    expect(bMail.body).toContain('data-applied="1"')
    expect(bMail.body).toContain('data-unmatched="2"')
    expect(bMail.body).toContain('data-reason="no_calendar"')
    expect(bMail.body).toContain('data-reason="unknown_uid"')
    expect(bMail.body).not.toContain('quelqu.un@ailleurs.example.org')
    // A (reading the instance's mailbox) sees its nobody's message, and none of B's.
    const aMail = await w.admin.get(MAIL_PAGE)
    expect(aMail.body).toContain('data-unmatched="1"')
    expect(aMail.body).not.toContain('data-reason="unknown_uid"')
    expect((aMail.body.match(/data-reason="no_calendar"/g) ?? [])).toHaveLength(1)
    for (const body of [form.body, bMail.body, aMail.body, (await b.admin.get(B_SETTINGS)).body]) {
      expect(body).not.toContain(own.password)
      expect(body).not.toContain(stored.reply_imap_secret!)
    }

    // "Ne plus lire cette boîte": the address and the password go.
    expect((await b.admin.submit(B_SETTINGS, settingsValues(b.platform, { reply_imap_url: withoutPassword(own), reply_imap_forget: 'yes' }))).statusCode).toBe(303)
    expect(await w.t.db.selectFrom('platform').select(['reply_imap_url', 'reply_imap_secret']).where('slug', '=', 'autre').executeTakeFirstOrThrow())
      .toEqual({ reply_imap_url: null, reply_imap_secret: null })
  })
})
