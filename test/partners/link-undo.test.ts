import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTransport } from '../../src/mail/transport.js'
import { deliverDue } from '../../src/mail/worker.js'
import { LINK_LEFT } from '../../src/partners/link-undo.js'
import { Client, csrfToken } from '../helpers/app.js'
import { invitations, inviteAll, linksByEmail, SESSION_PAGE, world, type World } from './helpers.js'

// "Annuler le nouveau lien" (#24 §6): the message with the new link waits the undo grace period; until it
// leaves, the facilitator can bring the previous link back and nothing is sent. Once it left, the undo is refused.

const MARC = 'marc.petit@caf.example.org'

describe('undo "nouveau lien"', () => {
  let w: World
  let oldLink: string
  let marcId: number
  beforeEach(async () => {
    w = await world()
    oldLink = (await inviteAll(w)).get(MARC)!
    marcId = (await invitations(w.t.db)).find((i) => i.email === MARC)!.id
    w.t.app.ctx.config.undoGraceSeconds = 60
  })
  afterEach(() => w.t.close())

  async function deliver() {
    const transport = createTransport(w.t.app.ctx.config)
    try {
      return await deliverDue(w.t.app.ctx, transport)
    } finally {
      await transport.close()
    }
  }
  const newLinkMail = () => w.t.db.selectFrom('outbox').select(['id', 'status', 'next_attempt_at'])
    .where('to_email', '=', MARC).orderBy('id', 'desc').executeTakeFirstOrThrow()

  async function resend() {
    const res = await w.admin.submit(SESSION_PAGE, {}, `${SESSION_PAGE}/${marcId}/resend`)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${SESSION_PAGE}?resent=${marcId}`)
    const newLink = (await linksByEmail(w.t.db)).get(MARC)!
    expect(newLink).not.toBe(oldLink)
    return { newLink, page: (await w.admin.get(res.headers.location as string)).body }
  }

  it('while the message waits: the page offers "Annuler", which brings the old link back, kills the new one and sends nothing', async () => {
    const { newLink, page } = await resend()
    expect(page).toContain('data-link-undo="yes"')
    expect(page).toContain('Le message part dans 1 minute')
    expect((await w.t.app.inject(oldLink)).statusCode).toBe(410)
    expect((await w.t.app.inject(newLink)).statusCode).toBe(200)
    await deliver()
    expect((await newLinkMail()).status).toBe('queued') // held for the grace period

    const form = page
    const undone = await w.admin.post(`${SESSION_PAGE}/${marcId}/resend/undo`, { _csrf: csrfToken(form) })
    expect(undone.statusCode).toBe(303)
    expect(undone.headers.location).toBe(`${SESSION_PAGE}?restored=${marcId}`)
    expect((await w.admin.get(undone.headers.location as string)).body).toContain('data-link-restored')
    expect((await newLinkMail()).status).toBe('superseded')
    const client = new Client(w.t.app)
    expect((await client.get(oldLink)).statusCode).toBe(200)
    expect((await w.t.app.inject(newLink)).statusCode).toBe(404)
    // Nothing left for Marc, however late the worker runs.
    const later = new Date(w.t.clock.now().getTime() + 3_600_000)
    const transport = createTransport(w.t.app.ctx.config)
    try {
      await deliverDue(w.t.app.ctx, transport, later)
    } finally {
      await transport.close()
    }
    expect((await newLinkMail()).status).toBe('superseded')
    // A second undo has nothing to restore.
    const again = await w.admin.post(`${SESSION_PAGE}/${marcId}/resend/undo`, { _csrf: csrfToken(form) })
    expect(again.statusCode).toBe(409)
  })

  it('once the message has left: no "Annuler", and the undo is refused with nothing changed', async () => {
    const { newLink, page } = await resend()
    await w.t.db.updateTable('outbox').set({ next_attempt_at: '2000-01-01T00:00:00.000Z' }).where('id', '=', (await newLinkMail()).id).execute()
    expect((await deliver()).sent).toBeGreaterThan(0)
    expect((await newLinkMail()).status).toBe('sent')
    const after = (await w.admin.get(`${SESSION_PAGE}?resent=${marcId}`)).body
    expect(after).toContain('data-link-undo="no"')
    expect(after).toContain(LINK_LEFT)
    const refused = await w.admin.post(`${SESSION_PAGE}/${marcId}/resend/undo`, { _csrf: csrfToken(page) })
    expect(refused.statusCode).toBe(409)
    expect(refused.body).toContain('déjà parti')
    expect((await w.t.app.inject(oldLink)).statusCode).toBe(410)
    expect((await w.t.app.inject(newLink)).statusCode).toBe(200)
  })
})
