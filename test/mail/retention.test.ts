import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { backgroundTick } from '../../src/background.js'
import { isPostgres } from '../../src/db/index.js'
import type { Platform } from '../../src/db/schema.js'
import { BODY_RETENTION_DAYS, markFailed } from '../../src/mail/outbox.js'
import { purgeOldMail, retentionCutoff } from '../../src/mail/retention.js'
import { createTransport, emlName } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { contactRecipient } from '../../src/partners/recipients.js'
import { queueSessionMail } from '../../src/sessions/notify.js'
import { findSessionById } from '../../src/sessions/store.js'
import { buildTestApp, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { publishedSession } from '../pitches/helpers.js'
import { invitedContact } from './people.js'

// A message keeps its content BODY_RETENTION_DAYS days once done with; then only its headers stay.

const DAY = 24 * 3600_000
const WORD = 'Motdepassage-Zebre-Quetzal' // in the facilitator's message only, so in the body only

let t: TestApp
let platform: Platform
let sessionId: number

beforeEach(async () => {
  t = await buildTestApp()
  platform = await createPlatform(t.db)
  sessionId = await publishedSession(t.db, platform)
})
afterEach(() => t.close())

async function invitation(email: string, message: string) {
  const invited = await invitedContact(t, platform, sessionId, { name: 'Hélène Dupré', email })
  const session = (await findSessionById(t.db, sessionId))!
  return (await queueSessionMail(t.app.ctx, t.db, platform, session, 'session.invitation', contactRecipient(t.app.ctx, invited.contact, invited.invitation), { itip: 'REQUEST', message }))!
}

const row = (id: number) => t.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('purgeOldMail', () => {
  it('empties text, HTML and calendar part of old messages done with, keeps the row, and deletes their .eml', async () => {
    const old = await invitation('helene.dupre@caf.example.org', `Bienvenue. ${WORD}`)
    const transport = createTransport(t.config)
    await deliverDue(t.app.ctx, transport)
    await transport.close()
    const eml = join(t.dataDir, 'outbox', emlName(await row(old)))
    expect(existsSync(eml)).toBe(true)
    const before = await row(old)

    // Later messages: one just sent (too recent), one still queued.
    t.clock.advance((BODY_RETENTION_DAYS - 1) * DAY)
    const recent = await invitation('marc.petit@caf.example.org', 'Récent')
    await t.db.updateTable('outbox').set({ status: 'sent' }).where('id', '=', recent).execute()
    t.clock.advance(2 * DAY)
    const queued = await invitation('lea.martin@example.org', 'En attente')

    expect(retentionCutoff(t.clock.now())).toBe(new Date(t.clock.now().getTime() - BODY_RETENTION_DAYS * DAY).toISOString())
    expect(await purgeOldMail(t.db, t.dataDir, t.clock.now())).toBe(1)
    const after = await row(old)
    expect(after).toMatchObject({ text_body: '', html_body: '', ical: null, ical_method: 'REQUEST', status: 'sent', to_email: before.to_email, subject: before.subject, sent_at: before.sent_at, created_at: before.created_at })
    expect(existsSync(eml)).toBe(false)
    expect((await row(recent)).text_body).toContain('Récent')
    expect((await row(queued)).text_body).toContain('En attente')
    expect(await purgeOldMail(t.db, t.dataDir, t.clock.now())).toBe(0)

    if (!isPostgres(t.db)) {
      // Gone from the files too, not only from the row: zeroed in the database, and the log emptied.
      const file = join(t.dataDir, 'fabrik.sqlite')
      const bytes = Buffer.concat([file, `${file}-wal`].filter(existsSync).map((f) => readFileSync(f)))
      expect(bytes.includes(WORD)).toBe(false)
      expect(bytes.includes('Récent')).toBe(true)
    }
  })

  it('runs on the worker’s beat', async () => {
    const id = await invitation('helene.dupre@caf.example.org', WORD)
    await t.db.updateTable('outbox').set({ status: 'superseded' }).where('id', '=', id).execute()
    t.clock.advance((BODY_RETENTION_DAYS + 1) * DAY)
    await backgroundTick(t.app.ctx)
    expect((await row(id)).text_body).toBe('')
  })

  it('leaves a purged message on the Courriers page with its headers, and nothing to send again', async () => {
    const id = await invitation('helene.dupre@caf.example.org', WORD)
    await t.db.updateTable('outbox').set({ status: 'sending' }).where('id', '=', id).execute()
    await markFailed(t.db, id, '550 5.1.1 no such user')
    t.clock.advance((BODY_RETENTION_DAYS + 1) * DAY)
    await purgeOldMail(t.db, t.dataDir, t.clock.now())
    const admin = await facilitatorClient(t.app, t.db, [platform.id])
    const list = await admin.get('/admin/p/test/courriers')
    expect(list.body).toContain('Invitation à la séance')
    expect(list.body).not.toContain(`/courriers/${id}/resend`)
    const page = await admin.get(`/admin/p/test/courriers/${id}`)
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain(`au-delà de ${BODY_RETENTION_DAYS} jours, un courrier ne garde que ses en-têtes`)
    expect(page.body).toContain('helene.dupre@caf.example.org')
    expect(page.body).not.toContain('Renvoyer ce message')
    expect(page.body).not.toContain('<iframe')
    const res = await admin.post(`/admin/p/test/courriers/${id}/resend`, { _csrf: await csrfFromAny(admin) })
    expect(res.statusCode).toBe(409)
    expect(res.body).toContain('son contenu a été effacé')
    expect((await row(id)).status).toBe('failed')
  })
})

/** A page with a form: the CSRF token is the login's, the same on every page. */
async function csrfFromAny(admin: Awaited<ReturnType<typeof facilitatorClient>>) {
  const page = await admin.get(`/admin/p/test/sessions/2026-12-18`)
  return /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!
}
