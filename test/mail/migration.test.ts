import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { up } from '../../migrations/2026-12-02T0920-outbox-links.js'
import type { OutboxStatus } from '../../src/db/schema.js'
import { type TempDatabase, tempDatabase } from '../helpers/db.js'

// Messages written before links were stored as references: those never to be sent again lose their links.

const TOKEN = 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde'
const NOW = '2026-11-23T09:00:00.000Z'
const text = `Votre lien personnel : https://fabrik.example.org/rsvp/${TOKEN}\nAgenda : https://fabrik.example.org/feeds/${TOKEN}.ics\nSéance : https://fabrik.example.org/lens/sessions/2026-12-18\n`
const html = `<a href="https://fabrik.example.org/pitch/${TOKEN}">https://fabrik.example.org/pitch/${TOKEN}</a>`

let temp: TempDatabase
beforeEach(async () => {
  temp = await tempDatabase()
})
afterEach(() => temp.close())

async function insert(status: OutboxStatus, n: number) {
  return (await temp.db.insertInto('outbox').values({
    kind: 'session.invitation', platform_id: null, session_id: null, thread_key: null, dedupe_key: null, to_name: 'X', to_email: 'x@example.org',
    subject: 's', text_body: text, html_body: html, ical_method: null, ical: null, message_id: `<m${n}@x>`, status, attempts: 0,
    next_attempt_at: NOW, lease_until: null, last_error: null, sent_at: null, created_at: NOW,
  }).returning('id').executeTakeFirstOrThrow()).id
}

describe('2026-12-02T0920-outbox-links', () => {
  it('removes the links of sent and replaced messages, keeps those still to be delivered or sent again', async () => {
    const ids = { sent: await insert('sent', 1), superseded: await insert('superseded', 2), queued: await insert('queued', 3), failed: await insert('failed', 4) }
    await up(temp.db)
    const rows = await temp.db.selectFrom('outbox').select(['id', 'text_body', 'html_body']).execute()
    const byId = new Map(rows.map((r) => [r.id, r]))
    for (const id of [ids.sent, ids.superseded]) {
      const r = byId.get(id)!
      expect(`${r.text_body}${r.html_body}`).not.toContain(TOKEN)
      expect(r.text_body).toContain('Votre lien personnel : (lien personnel retiré)')
      expect(r.text_body).toContain('https://fabrik.example.org/lens/sessions/2026-12-18') // not a personal link
    }
    for (const id of [ids.queued, ids.failed]) expect(byId.get(id)).toMatchObject({ text_body: text, html_body: html })
  })
})
