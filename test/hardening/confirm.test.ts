import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client, csrfToken } from '../helpers/app.js'
import { aBookedPitch } from '../helpers/factories.js'
import { DATE, inviteAll, outbox, world, type World } from '../partners/helpers.js'

// The actions that used to act in one click first show what will be sent to whom (#24 §6): "Annuler la
// séance", "nouveau lien" (test/partners/session-page.test.ts) and the holder's "Retirer ma présentation".
// Opening a confirmation page writes nothing; its button acts.

const SESSION = `/admin/p/test/sessions/${DATE}`

describe('confirmation pages', () => {
  let w: World
  beforeEach(async () => {
    w = await world({ capacity: 10 })
  })
  afterEach(() => w.t.close())

  const status = async () => (await w.t.db.selectFrom('session').select('status').where('id', '=', w.sessionId).executeTakeFirstOrThrow()).status

  it('"Annuler la séance" says how many partners and holders will receive a cancellation, then cancels on its button', async () => {
    await inviteAll(w)
    for (const n of [1, 2]) await aBookedPitch(w.t.app.ctx, w.platform, w.sessionId, n)
    const session = (await w.admin.get(SESSION)).body
    // The session page links to the confirmation; no form there cancels in one click.
    expect(session).toContain(`href="${SESSION}/cancel"`)
    expect(session).not.toContain(`action="${SESSION}/cancel"`)

    const before = (await outbox(w.t.db)).length
    const ask = await w.admin.get(`${SESSION}/cancel`)
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('data-audience-partners="4" data-audience-holders="2"')
    expect(ask.body).toContain('4 partenaires et 2 porteurs de projet</strong> recevront une annulation')
    expect(ask.body).toContain('Hélène Dupré')
    expect(ask.body).toContain('Porteur 2')
    expect(ask.body).toContain('vous pourrez rétablir la séance')
    expect(ask.body).toContain('name="confirm" value="yes"')
    expect(await outbox(w.t.db)).toHaveLength(before)
    expect(await status()).toBe('published')

    const res = await w.admin.post(`${SESSION}/cancel`, { _csrf: csrfToken(ask.body), confirm: 'yes' })
    expect(res.statusCode).toBe(303)
    expect(await status()).toBe('cancelled')
    const sent = (await outbox(w.t.db)).slice(before)
    expect(sent.filter((m) => m.kind === 'session.cancelled')).toHaveLength(6)
    // Afterwards the page says there is nothing left to send, and offers no button.
    const again = await w.admin.get(`${SESSION}/cancel`)
    expect(again.body).toContain('data-confirm="done"')
    expect(again.body).not.toContain('name="confirm"')
  })

  it('"Retirer ma présentation" says what will be sent before withdrawing; the contract POST still withdraws alone', async () => {
    const first = await aBookedPitch(w.t.app.ctx, w.platform, w.sessionId, 1)
    const holder = new Client(w.t.app)
    const page = await holder.get(`/pitch/${first.token}`)
    expect(page.body).toContain(`href="/pitch/${first.token}/retirer"`)
    const before = (await outbox(w.t.db)).length
    const ask = await holder.get(`/pitch/${first.token}/retirer`)
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('Vous recevrez un e-mail qui confirme le retrait et retire la séance de votre agenda')
    expect(ask.body).toContain("s'il y a une liste d'attente")
    expect(ask.body).toContain('name="action" value="withdraw"')
    expect(ask.body).toContain('name="confirm" value="yes"')
    expect(await outbox(w.t.db)).toHaveLength(before)
    expect((await holder.get(`/pitch/${first.token}`)).body).toContain('data-status="confirmed"')

    const res = await holder.post(`/pitch/${first.token}`, { _csrf: csrfToken(ask.body), action: 'withdraw', confirm: 'yes' })
    expect(res.headers.location).toBe(`/pitch/${first.token}?done=withdraw`)
    expect((await holder.get(`/pitch/${first.token}`)).body).toContain('data-status="withdrawn"')
    expect((await holder.get(`/pitch/${first.token}/retirer`)).body).toContain('data-confirm="done"')

    // An integration posting the holder page's form as before (action=withdraw, no confirm) still withdraws.
    const second = await aBookedPitch(w.t.app.ctx, w.platform, w.sessionId, 2)
    const direct = await holder.submit(`/pitch/${second.token}`, { action: 'withdraw' })
    expect(direct.headers.location).toBe(`/pitch/${second.token}?done=withdraw`)
  })

  it('the personal confirmation page answers 404 to an unknown token', async () => {
    expect((await w.t.app.inject('/pitch/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/retirer')).statusCode).toBe(404)
  })
})
