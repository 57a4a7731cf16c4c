import autocannon from 'autocannon'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { csrfToken } from '../helpers/app.js'
import { bookingFields } from '../pitches/helpers.js'
import { buildWorld, type World } from './world.js'
import { toForm } from '../helpers/app.js'

// Correctness under load, not speed (that is `npm run bench`): 10 s of booking and answering, zero
// errors, and no answer outside 2xx but the intended 303 (redirect after a form), 409 and 429.

const ALLOWED = new Set(['200', '303', '409', '429'])

describe('a short load smoke', () => {
  let w: World
  let base: string
  beforeAll(async () => {
    w = await buildWorld()
    await w.t.app.listen({ port: 0, host: '127.0.0.1' })
    const address = w.t.app.server.address() as { port: number }
    base = `http://127.0.0.1:${address.port}`
  }, 120_000)
  afterAll(() => w.t.close())

  it('books and answers for 10 s with no error and no unintended status', async () => {
    const form = `/lens-lievin/sessions/${w.ids.pitchDate}/pitch`
    const bookingPage = await w.anon.get(form)
    const bookingCookie = [...w.anon.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    const bookingToken = csrfToken(bookingPage.body)
    const rsvp = `/rsvp/${w.ids.rsvpToken}`
    const rsvpPage = await w.anon.get(rsvp)
    const rsvpToken = csrfToken(rsvpPage.body)
    const cookie = [...w.anon.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    let n = 0
    // autocannon's bundled types do not know `requests`; the option is documented in its README.
    const options: Record<string, unknown> = {
      url: base,
      connections: 10,
      duration: 10,
      requests: [
        { method: 'GET', path: form },
        {
          method: 'POST', path: form, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: bookingCookie },
          setupRequest: (req: Record<string, unknown>) => ({ ...req, body: toForm({ ...bookingFields(`load${n++ % 50}`), _csrf: bookingToken }) }),
        },
        { method: 'GET', path: rsvp },
        { method: 'POST', path: rsvp, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: toForm({ answer: n % 2 ? 'remote' : 'on_site', comment: '', _csrf: rsvpToken }) },
      ],
    }
    const result = await autocannon(options as unknown as Parameters<typeof autocannon>[0])
    const codes = Object.keys(result.statusCodeStats)
    expect(result.errors).toBe(0)
    expect(result.timeouts).toBe(0)
    expect(codes.filter((c) => !ALLOWED.has(c))).toEqual([])
    expect(result.requests.total).toBeGreaterThan(100)
    // Nothing lost or duplicated under load: at most one booking per holder.
    const rows = await w.t.db.selectFrom('pitch').innerJoin('holder', 'holder.id', 'pitch.holder_id').select('holder.email').where('holder.email', 'like', 'porteurload%').execute()
    expect(new Set(rows.map((r) => r.email)).size).toBe(rows.length)
  }, 60_000)
})
