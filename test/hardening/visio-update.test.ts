import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Client } from '../helpers/app.js'
import { inviteAll, outbox, world, type World, DATE } from '../partners/helpers.js'

// A session switched to videoconference: partners who had answered "sur place" are told, in the update, that
// they are now expected remotely (#24 §3); the others read the usual update.

describe('the update when a session goes to visio', () => {
  let w: World
  beforeEach(async () => {
    w = await world()
  })
  afterEach(() => w.t.close())

  it('tells those who answered "sur place" that they are now expected remotely, and only them', async () => {
    const links = await inviteAll(w)
    for (const [email, answer] of [['helene.dupre@caf.example.org', 'on_site'], ['marc.petit@caf.example.org', 'remote']] as const) {
      expect((await new Client(w.t.app).submit(links.get(email)!, { answer, comment: '' })).statusCode).toBe(303)
    }
    const before = (await outbox(w.t.db)).length
    const session = `/admin/p/test/sessions/${DATE}`
    expect((await w.admin.submit(session, { video_url: 'https://visio.example.org/salle' }, `${session}/visio`)).statusCode).toBe(303)
    const updates = (await outbox(w.t.db)).slice(before).filter((m) => m.kind === 'session.updated')
    const to = (email: string) => updates.find((m) => m.to_email === email)!
    const sentence = 'vous êtes attendu·e à distance'
    expect(to('helene.dupre@caf.example.org').text_body).toContain('Vous aviez répondu que vous viendriez sur place')
    expect(to('helene.dupre@caf.example.org').text_body).toContain(sentence)
    expect(to('helene.dupre@caf.example.org').html_body).toContain('data-now-remote')
    for (const other of ['marc.petit@caf.example.org', 'lea.martin@pasdecalais.example.org']) expect(to(other).text_body).not.toContain(sentence)
  })
})
