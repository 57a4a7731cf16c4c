import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { markAddressFailing } from '../../src/partners/calendar-answers.js'
import { undeliveredInvitations } from '../../src/partners/answers.js'
import { createTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { startSmtpPeer, type SmtpPeer } from '../helpers/smtp.js'
import { inviteAll, invitations, SESSION_PAGE, world, type World } from '../partners/helpers.js'

// #24 §6: an invitation that did not reach its reader is flagged on the facilitator's answers table too — the
// mail worker gave up on it (a 550 from the real SMTP peer), or a delivery report marked the address failing —
// with a link to the message on the Courriers page, where it can be resent.

describe('a bounced or failed invitation on the answers table', () => {
  let w: World
  let smtp: SmtpPeer
  beforeEach(async () => {
    w = await world()
    smtp = await startSmtpPeer({
      failWith: (rcpt) => rcpt.address === 'marc.petit@caf.example.org' ? { code: 550, message: '5.1.1 <marc.petit@caf.example.org>: no such user' } : null,
    })
    w.t.app.ctx.config.smtpUrl = smtp.url
  })
  afterEach(async () => {
    await smtp.close()
    await w.t.close()
  })

  const flags = (body: string) => [...body.matchAll(/data-undelivered="(\d+)"/g)].map((m) => Number(m[1]))

  it('flags the invitation the worker gave up on, with a link to that mail, and only it', async () => {
    await inviteAll(w)
    const transport = createTransport(w.t.app.ctx.config)
    await deliverDue(w.t.app.ctx, transport)
    await transport.close()
    const failed = await w.t.db.selectFrom('outbox').selectAll().where('status', '=', 'failed').execute()
    expect(failed.map((m) => m.to_email)).toEqual(['marc.petit@caf.example.org'])

    const page = await w.admin.get(SESSION_PAGE)
    expect(page.statusCode).toBe(200)
    expect(flags(page.body)).toEqual([failed[0]!.id])
    expect(page.body).toContain('Invitation non remise : envoi abandonné (')
    expect(page.body).toContain('no such user')
    expect(page.body).toContain(`href="/admin/p/test/courriers/${failed[0]!.id}"`)
    // The link leads to the mail, which offers "Renvoyer".
    const mail = await w.admin.get(`/admin/p/test/courriers/${failed[0]!.id}`)
    expect(mail.statusCode).toBe(200)
    expect(mail.body).toContain(`/courriers/${failed[0]!.id}/resend`)
  })

  it('flags an invitation whose address a delivery report marked failing after it left', async () => {
    smtp.setFailure(null)
    await inviteAll(w)
    const transport = createTransport(w.t.app.ctx.config)
    await deliverDue(w.t.app.ctx, transport)
    await transport.close()
    const lea = (await invitations(w.t.db)).find((i) => i.email === 'lea.martin@pasdecalais.example.org')!
    w.t.clock.advance(60_000)
    await markAddressFailing(w.t.db, lea.id, '550 5.1.1 mailbox unavailable', w.t.clock.now().toISOString())
    const sent = await w.t.db.selectFrom('outbox').select('id').where('to_email', '=', 'lea.martin@pasdecalais.example.org').executeTakeFirstOrThrow()
    const page = await w.admin.get(SESSION_PAGE)
    expect(flags(page.body)).toEqual([sent.id])
    expect(page.body).toContain('Invitation non remise : revenu en erreur (550 5.1.1 mailbox unavailable)')
  })
})

describe('undeliveredInvitations', () => {
  const row = (invitationId: number, mailId: number, status: string, extra: Partial<Parameters<typeof undeliveredInvitations>[0][number]> = {}) =>
    ({ invitationId, mailId, status, error: null, sentAt: status === 'sent' ? '2026-11-20T10:00:00.000Z' : null, bouncedAt: null, bounce: null, ...extra })

  it('reads the latest mail of each invitation only', () => {
    expect(undeliveredInvitations([row(1, 10, 'failed', { error: 'SMTP 550' }), row(1, 11, 'sent')])).toEqual({})
    expect(undeliveredInvitations([row(1, 10, 'sent'), row(1, 11, 'failed', { error: 'SMTP 550' })])).toEqual({ 1: { mailId: 11, reason: 'envoi abandonné (SMTP 550)' } })
  })

  it('does not flag a mail sent after the delivery report', () => {
    expect(undeliveredInvitations([row(2, 12, 'sent', { bouncedAt: '2026-11-19T10:00:00.000Z', bounce: '550' })])).toEqual({})
    expect(undeliveredInvitations([row(2, 12, 'sent', { bouncedAt: '2026-11-21T10:00:00.000Z', bounce: '550' })])).toEqual({ 2: { mailId: 12, reason: 'revenu en erreur (550)' } })
  })
})
