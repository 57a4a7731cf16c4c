import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { OutboxRow, Platform } from '../../src/db/schema.js'
import { queueDueReminders } from '../../src/sessions/reminders.js'
import { buildTestApp, type Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { aBookedPitch, sentMailOf } from '../helpers/factories.js'
import { publishedSession } from '../pitches/helpers.js'

// What holders read (#24): a holder booked by phone without an address is reached through the platform's
// mailbox for every message about their session (§2); a holder coming on site is told of a switch to visio
// (§3); the confirmation gives the pitch's length and time (§6).

const SESSION = '/admin/p/test/sessions/2026-12-18'
const MAILBOX = 'animation@test.example.org'
const NOTE = 'Ce message est destiné à Josiane Morel, qui n\'a pas d\'adresse e-mail : merci de le lui transmettre (téléphone : 06 11 22 33 44).'
const edit = (date: string, extra: Record<string, string> = {}) => ({ date, start_time: '09:00', end_time: '12:00', mode: 'in_person', commune_id: '', venue_id: '', video_url: '', notes: '', ...extra })

describe('what holders read', () => {
  let t: TestApp
  let p: Platform
  let sessionId: number
  let admin: Client
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    sessionId = await publishedSession(t.db, p)
    admin = await facilitatorClient(t.app, t.db, [p.id])
  })
  afterEach(() => t.close())

  const mails = async (kind: string) => (await sentMailOf(t.app)).filter((m) => m.kind === kind)
  const expectForwarded = (m: OutboxRow | undefined) => {
    expect(m, 'a message to the mailbox').toBeDefined()
    expect(m!.to_email).toBe(MAILBOX)
    expect(m!.text_body.split('\n')[0]).toBe(NOTE)
    expect(m!.html_body).toContain('data-forward')
    expect(m!.html_body).toContain('Josiane Morel, qui n&#39;a pas d&#39;adresse e-mail')
    // The event is the holder's, not the team's: no calendar part in the team's mailbox.
    expect(m!.ical_method).toBeNull()
  }

  describe('a holder without an address', () => {
    beforeEach(async () => {
      await aBookedPitch(t.app.ctx, p, sessionId, 'phone', { name: 'Josiane Morel', email: null, phone: '06 11 22 33 44' })
      await aBookedPitch(t.app.ctx, p, sessionId, 2)
    })

    it('has the session update and the cancellation sent to the platform’s mailbox, saying whom to pass them to', async () => {
      expect((await admin.submit(SESSION, edit('2026-12-11'))).statusCode).toBe(303)
      const updated = await mails('session.updated')
      expectForwarded(updated.find((m) => m.to_name === 'Josiane Morel'))
      // The holder with an address still gets theirs, with the calendar part, and no such line.
      const other = updated.find((m) => m.to_email === 'porteur2@example.org')!
      expect(other.ical_method).toBe('REQUEST')
      expect(other.text_body).not.toContain('transmettre')

      expect((await admin.submit('/admin/p/test/sessions/2026-12-11', {}, '/admin/p/test/sessions/2026-12-11/cancel')).statusCode).toBe(303)
      const cancelled = await mails('session.cancelled')
      expectForwarded(cancelled.find((m) => m.to_name === 'Josiane Morel'))
      expect(cancelled.find((m) => m.to_email === 'porteur2@example.org')!.ical_method).toBe('CANCEL')
    })

    it('has the reminder sent to the platform’s mailbox', async () => {
      t.clock.set('2026-12-11T10:00:00.000Z') // J-7 at 11:00 Paris
      await queueDueReminders(t.app.ctx)
      const reminders = await mails('session.reminder')
      expect(reminders.map((m) => m.to_email).sort()).toEqual([MAILBOX, 'porteur2@example.org'])
      expectForwarded(reminders.find((m) => m.to_email === MAILBOX))
      expect(await queueDueReminders(t.app.ctx)).toBe(0) // still once
    })
  })

  it('tells a holder coming on site that the session goes to visio, with the link, and that they are no longer expected on site', async () => {
    await aBookedPitch(t.app.ctx, p, sessionId, 1)
    expect((await admin.submit(SESSION, { video_url: 'https://visio.example.org/salle-42' }, `${SESSION}/visio`)).statusCode).toBe(303)
    const update = (await mails('session.updated')).find((m) => m.to_email === 'porteur1@example.org')!
    expect(update.text_body).toContain('La séance se tient désormais en visioconférence : vous n\'êtes plus attendu·e sur place.')
    expect(update.text_body).toContain('Vous présenterez « Jardin partagé 1 » à distance')
    expect(update.text_body).toContain('Visioconférence : https://visio.example.org/salle-42')
    expect(update.html_body).toContain('data-now-remote')
    expect(update.text_body).not.toContain('Vous aviez répondu que vous viendriez sur place')
  })

  it('gives the pitch’s length from the agenda and its time in the confirmation', async () => {
    await aBookedPitch(t.app.ctx, p, sessionId, 1)
    const confirmed = (await mails('pitch.confirmed'))[0]!
    // The default agenda: a welcome of 20 minutes, then pitches of 40 minutes.
    expect(confirmed.text_body).toContain('vous présentez votre projet en 40 minutes environ, échanges compris')
    expect(confirmed.text_body).toContain('Votre passage est prévu 9 h 20 – 10 h.')
    expect(confirmed.html_body).toContain('en 40 minutes environ, échanges compris')
    expect(confirmed.text_body).not.toContain('quelques minutes')
  })
})
