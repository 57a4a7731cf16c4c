import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Platform } from '../../src/db/schema.js'
import { movedSlots, slotTimes } from '../../src/pitches/slot-times.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'
import { buildTestApp, Client, createPlatform, facilitatorClient, type TestApp } from '../helpers/app.js'
import { withLinks } from '../../src/mail/links.js'
import { bookConfirmed, bookingFields, outbox, pitches, publishedSession } from './helpers.js'

// A holder is told when their slot time moves: the order of passage, the agenda, or an earlier pitch leaving.

describe('slot times (pure)', () => {
  const times = (entries: Array<[number, string | null]>) => new Map(entries)

  it('gives the n-th held pitch, by position then id, the n-th pitch slot of the timed agenda', () => {
    const held = [{ id: 7, position: 3 }, { id: 5, position: 1 }, { id: 9, position: 1 }]
    expect([...slotTimes(held, DEFAULT_AGENDA, '09:00')]).toEqual([[5, '9 h 20 – 10 h'], [9, '10 h – 10 h 40'], [7, '10 h 50 – 11 h 30']])
    expect([...slotTimes(held, DEFAULT_AGENDA, '14:00')].map(([, t]) => t)).toEqual(['14 h 20 – 15 h', '15 h – 15 h 40', '15 h 50 – 16 h 30'])
    // More held pitches than slots (older data): the last has no time.
    expect(slotTimes([...held, { id: 11, position: 4 }], DEFAULT_AGENDA, '09:00').get(11)).toBeNull()
    expect(slotTimes([], DEFAULT_AGENDA, '09:00').size).toBe(0)
  })

  it('returns the pitches held before and after whose time differs, in their new order', () => {
    const before = times([[1, '9 h 20 – 10 h'], [2, '10 h – 10 h 40'], [3, '10 h 50 – 11 h 30']])
    expect(movedSlots(before, times([[2, '9 h 20 – 10 h'], [1, '10 h – 10 h 40'], [3, '10 h 50 – 11 h 30']]))).toEqual([
      { pitchId: 2, before: '10 h – 10 h 40', after: '9 h 20 – 10 h' },
      { pitchId: 1, before: '9 h 20 – 10 h', after: '10 h – 10 h 40' },
    ])
    expect(movedSlots(before, new Map(before))).toEqual([])
    expect(movedSlots(new Map(), new Map())).toEqual([])
  })

  it('leaves out pitches gaining or losing their slot (their own email says so) and pitches left without a time', () => {
    const before = times([[1, '9 h 20 – 10 h'], [2, '10 h – 10 h 40'], [3, '10 h 50 – 11 h 30']])
    // 1 withdrawn, 4 promoted: only 2 and 3, who stay, are told.
    expect(movedSlots(before, times([[2, '9 h 20 – 10 h'], [3, '10 h – 10 h 40'], [4, '10 h 50 – 11 h 30']]))).toEqual([
      { pitchId: 2, before: '10 h – 10 h 40', after: '9 h 20 – 10 h' },
      { pitchId: 3, before: '10 h 50 – 11 h 30', after: '10 h – 10 h 40' },
    ])
    expect(movedSlots(before, times([[1, '9 h 20 – 10 h'], [2, null], [3, '10 h 50 – 11 h 30']]))).toEqual([])
    // A held pitch that had no time and now has one is told it.
    expect(movedSlots(times([[1, null]]), times([[1, '9 h 20 – 10 h']]))).toEqual([{ pitchId: 1, before: null, after: '9 h 20 – 10 h' }])
  })
})

const DATE = '2026-12-18'
const FORM = `/test/sessions/${DATE}/pitch`
const ADMIN = '/admin/p/test'
const PITCHES = `${ADMIN}/sessions/${DATE}/pitches`
const AGENDA = `${ADMIN}/sessions/${DATE}/agenda`

describe('telling holders their new slot time', () => {
  let t: TestApp
  let p: Platform
  let admin: Client
  let links: Map<number, string>
  beforeEach(async () => {
    t = await buildTestApp()
    p = await createPlatform(t.db)
    await publishedSession(t.db, p)
    admin = await facilitatorClient(t.app, t.db, [p.id])
    links = new Map()
  })
  afterEach(() => t.close())

  /** Books for "Porteur n" (holder id n) and keeps their personal link. */
  const book = async (n: number) => {
    links.set(n, await bookConfirmed(t.app, t.db, FORM, bookingFields(n)))
  }
  const pitchOf = async (n: number) => (await pitches(t.db)).find((r) => r.holder_id === n)!
  const act = (id: number, form: Record<string, string>) => admin.submit(PITCHES, form, `${PITCHES}/${id}`)
  /** The outbox from the n-th row on, as "kind:calendar method:recipient". */
  const mailsFrom = async (n: number) => (await outbox(t.db)).slice(n).filter((m) => m.kind !== 'pitch.verify').map((m) => `${m.kind}:${m.ical_method ?? '-'}:${m.to_email}`)
  const slotMail = async (n: number) => {
    const found = (await outbox(t.db)).filter((m) => m.kind === 'pitch.slot' && m.to_email === `porteur${n}@example.org`)
    expect(found).toHaveLength(1)
    return found[0]!
  }
  const agendaForm = (rows: Array<[string, string, string]>) => ({
    kind: [...rows.map((r) => r[0]), 'other'], title: [...rows.map((r) => r[1]), ''], duration: [...rows.map((r) => r[2]), ''],
    position: [...rows.map((_, i) => String(i + 1)), String(rows.length + 1)],
  })
  /** The default agenda with its durations changed. */
  const defaultAgenda = (durations: number[]) => agendaForm(DEFAULT_AGENDA.map((item, i) => [item.kind, item.title, String(durations[i])]))

  it('reordering two confirmed pitches tells exactly those two holders their new time, in French, with their link', async () => {
    for (const n of [1, 2, 3]) await book(n)
    const res = await act((await pitchOf(1)).id, { action: 'down' })
    expect(res.statusCode).toBe(303)
    expect(await mailsFrom(6)).toEqual(['pitch.slot:-:porteur2@example.org', 'pitch.slot:-:porteur1@example.org'])
    const first = await slotMail(1)
    expect(first.subject).toBe('Nouvel horaire de passage pour la séance du vendredi 18 décembre 2026 – Plateforme test')
    expect(first.ical).toBeNull()
    expect(first.to_name).toBe('Porteur 1')
    // As it leaves the outbox: the links are written in then (mail/links.ts).
    const sent = withLinks(first, t.app.ctx.config)
    for (const body of [sent.text_body, sent.html_body]) {
      expect(body).toContain('Jardin partagé 1')
      expect(body).toContain('Vendredi 18 décembre 2026')
      expect(body).toContain('9 h – 12 h')
      expect(body).toMatch(/Lieu :(<\/strong>)? à déterminer/)
      expect(body).toContain(`http://fabrik.test${links.get(1)}`)
    }
    expect(first.text_body).toContain('Votre passage est maintenant prévu 10 h – 10 h 40.')
    expect(first.text_body).toContain("Horaire prévu jusqu'ici : 9 h 20 – 10 h.")
    expect(first.html_body).toContain('Horaire prévu jusqu&#39;ici : 9 h 20 – 10 h.')
    expect(first.html_body).toContain('Votre passage est maintenant prévu <strong>10 h – 10 h 40</strong>.')
    const second = await slotMail(2)
    expect(second.text_body).toContain('Votre passage est maintenant prévu 9 h 20 – 10 h.')
    expect(second.text_body).toContain("Horaire prévu jusqu'ici : 10 h – 10 h 40.")
    expect(withLinks(second, t.app.ctx.config).text_body).toContain(`http://fabrik.test${links.get(2)}`)
    // What the mail says is what the holder's page says.
    expect((await t.app.inject(links.get(1)!)).body).toContain('10 h – 10 h 40')
    expect((await admin.get(`${PITCHES}?done=down`)).body).toContain('les porteurs dont l&#39;horaire change sont prévenus par e-mail')
    // A move that cannot happen (the first up) tells no one.
    await act((await pitchOf(2)).id, { action: 'up' })
    expect(await outbox(t.db)).toHaveLength(8) // 3 bookings × (confirm your address, confirmed), 2 new times
  })

  it('a newer slot time replaces an older one still waiting to be sent; one already sent stays sent', async () => {
    for (const n of [1, 2, 3]) await book(n)
    const first = (await pitchOf(1)).id
    await act(first, { action: 'down' })
    await act(first, { action: 'down' }) // 1 is now last: 3 moves up, 1 moves again
    const slots = (await outbox(t.db)).filter((m) => m.kind === 'pitch.slot')
    const mine = slots.filter((m) => m.to_email === 'porteur1@example.org')
    expect(mine.map((m) => m.status)).toEqual(['superseded', 'queued'])
    expect(mine[1]!.text_body).toContain('Votre passage est maintenant prévu 10 h 50 – 11 h 30.')
    // The time they were last told is 9 h 20 – 10 h (the replaced email never left): no "jusqu'ici" line.
    expect(mine[1]!.text_body).not.toContain("jusqu'ici")
    // Porteur 2 moved once (up, then stayed): one email. Porteur 3 moved once: one email.
    expect(slots.filter((m) => m.status === 'queued').map((m) => m.to_email).sort()).toEqual(['porteur1@example.org', 'porteur2@example.org', 'porteur3@example.org'])
    // Sent already: the next move sends a new one and leaves the sent one alone.
    await t.db.updateTable('outbox').set({ status: 'sent' }).where('kind', '=', 'pitch.slot').where('status', '=', 'queued').execute()
    await act(first, { action: 'up' })
    const after = (await outbox(t.db)).filter((m) => m.kind === 'pitch.slot' && m.to_email === 'porteur1@example.org')
    expect(after.map((m) => m.status)).toEqual(['superseded', 'sent', 'queued'])
  })

  it('a holder withdrawing the first pitch: the later holders are told their earlier time, the holder only that it is withdrawn', async () => {
    for (const n of [1, 2, 3, 4, 5]) await book(n) // 4 and 5 wait
    const res = await new Client(t.app).submit(links.get(1)!, { action: 'withdraw' })
    expect(res.statusCode).toBe(303)
    expect(await mailsFrom(10)).toEqual([
      'pitch.withdrawn:CANCEL:porteur1@example.org',
      'pitch.promoted:REQUEST:porteur4@example.org',
      'pitch.slot:-:porteur2@example.org',
      'pitch.slot:-:porteur3@example.org',
    ])
    expect((await slotMail(2)).text_body).toContain('Votre passage est maintenant prévu 9 h 20 – 10 h.')
    expect((await slotMail(3)).text_body).toContain('Votre passage est maintenant prévu 10 h – 10 h 40.')
    expect((await slotMail(3)).text_body).toContain("Horaire prévu jusqu'ici : 10 h 50 – 11 h 30.")
    const promoted = (await outbox(t.db)).find((m) => m.kind === 'pitch.promoted')!
    expect(promoted.text_body).toContain('Votre passage est prévu 10 h 50 – 11 h 30.')
  })

  it('the facilitator waitlisting, confirming, declining or moving a pitch away: the other holders are told, not that one', async () => {
    for (const n of [1, 2, 3]) await book(n)
    const other = '2027-01-29'
    await publishedSession(t.db, p, other)
    await new Client(t.app).submit(`/test/sessions/${other}/pitch`, bookingFields(9))
    const last = async () => (await outbox(t.db)).at(-1)!.text_body
    let seen = (await outbox(t.db)).length
    await act((await pitchOf(1)).id, { action: 'waitlist' })
    expect(await mailsFrom(seen)).toEqual(['pitch.waiting:CANCEL:porteur1@example.org', 'pitch.slot:-:porteur2@example.org', 'pitch.slot:-:porteur3@example.org'])
    expect(await last()).toContain('Votre passage est maintenant prévu 10 h – 10 h 40.')
    seen = (await outbox(t.db)).length
    // The waiting pitch kept its place before 2 and 3: confirming it puts them back one slot.
    await act((await pitchOf(1)).id, { action: 'confirm' })
    expect(await mailsFrom(seen)).toEqual(['pitch.confirmed:REQUEST:porteur1@example.org', 'pitch.slot:-:porteur2@example.org', 'pitch.slot:-:porteur3@example.org'])
    expect(await last()).toContain('Votre passage est maintenant prévu 10 h 50 – 11 h 30.')
    seen = (await outbox(t.db)).length
    await act((await pitchOf(1)).id, { action: 'decline', message: '' })
    expect(await mailsFrom(seen)).toEqual(['pitch.declined:CANCEL:porteur1@example.org', 'pitch.slot:-:porteur2@example.org', 'pitch.slot:-:porteur3@example.org'])
    seen = (await outbox(t.db)).length
    await act((await pitchOf(2)).id, { action: 'move', session_date: other })
    // Nobody's time moves on the other session: the moved pitch comes after its pitches.
    expect(await mailsFrom(seen)).toEqual(['pitch.moved:CANCEL:porteur2@example.org', 'pitch.confirmed:REQUEST:porteur2@example.org', 'pitch.slot:-:porteur3@example.org'])
    expect(await last()).toContain('Votre passage est maintenant prévu 9 h 20 – 10 h.')
  })

  it('an agenda edit lengthening the welcome tells every holder of a slot, pending ones too, and not those waiting', async () => {
    await t.db.updateTable('platform').set({ booking_mode: 'review' }).execute()
    for (const n of [1, 2, 3, 4]) await book(n) // 1–3 pending, 4 waits
    await act((await pitchOf(2)).id, { action: 'confirm' })
    const seen = (await outbox(t.db)).length
    // Welcome 20 → 30 minutes, exchange 30 → 20: every pitch ten minutes later, the session still ends at noon.
    const res = await admin.submit(AGENDA, defaultAgenda([30, 40, 40, 10, 40, 20, 0]))
    expect(res.statusCode).toBe(303)
    expect(await mailsFrom(seen)).toEqual(['pitch.slot:-:porteur1@example.org', 'pitch.slot:-:porteur2@example.org', 'pitch.slot:-:porteur3@example.org'])
    expect((await slotMail(1)).text_body).toContain('Votre passage est maintenant prévu 9 h 30 – 10 h 10.')
    expect((await slotMail(2)).text_body).toContain('Votre passage est maintenant prévu 10 h 10 – 10 h 50.')
    expect((await slotMail(3)).text_body).toContain('Votre passage est maintenant prévu 11 h – 11 h 40.')
    expect((await slotMail(3)).text_body).toContain("Horaire prévu jusqu'ici : 10 h 50 – 11 h 30.")
    expect((await admin.get(String(res.headers.location))).body).toContain("les porteurs dont l'horaire de passage change sont prévenus par e-mail")
  })

  it('a change that moves nobody’s time sends no email', async () => {
    for (const n of [1, 2, 3, 4]) await book(n) // 4 waits
    const seen = (await outbox(t.db)).length
    // After the last pitch: a shorter exchange and a renamed end move no slot.
    const edit = agendaForm(DEFAULT_AGENDA.map((item) => [item.kind, item.kind === 'end' ? 'Clôture' : item.title, String(item.kind === 'exchange' ? 20 : item.duration_minutes)]))
    expect((await admin.submit(AGENDA, edit)).statusCode).toBe(303)
    // The same agenda saved again.
    expect((await admin.submit(AGENDA, edit)).statusCode).toBe(303)
    expect(await mailsFrom(seen)).toEqual([])
    // The last pitch leaves: its holder is told, the waiting holder takes the same slot, the others keep theirs.
    await act((await pitchOf(3)).id, { action: 'decline', message: '' })
    expect(await mailsFrom(seen)).toEqual(['pitch.declined:CANCEL:porteur3@example.org', 'pitch.promoted:REQUEST:porteur4@example.org'])
    // A new booking comes after every held pitch.
    await book(5)
    expect(await mailsFrom(seen + 2)).toEqual(['pitch.waiting:-:porteur5@example.org'])
  })

  it('holders promoted together are each told their final time; the others theirs', async () => {
    for (const n of [1, 2, 3]) await book(n)
    await act((await pitchOf(2)).id, { action: 'up' }) // order 2, 1, 3
    await act((await pitchOf(1)).id, { action: 'waitlist' })
    await act((await pitchOf(2)).id, { action: 'waitlist' })
    for (const n of [4, 5]) await book(n) // take the two free slots, after 3
    const seen = (await outbox(t.db)).length
    // Five slots of 30 minutes: 1 and 2 (waiting, 1 first in arrival) take two, and keep their places before 3.
    const res = await admin.submit(AGENDA, agendaForm([
      ['welcome', 'Accueil', '20'], ['pitch', 'P', '30'], ['pitch', 'P', '30'], ['pitch', 'P', '30'], ['pitch', 'P', '30'], ['pitch', 'P', '30'], ['end', 'Fin', '0'],
    ]))
    expect(res.statusCode).toBe(303)
    expect(await mailsFrom(seen)).toEqual([
      'pitch.promoted:REQUEST:porteur1@example.org', 'pitch.promoted:REQUEST:porteur2@example.org',
      'pitch.slot:-:porteur3@example.org', 'pitch.slot:-:porteur4@example.org', 'pitch.slot:-:porteur5@example.org',
    ])
    const rows = (await outbox(t.db)).slice(seen)
    expect(rows[0]!.text_body).toContain('Votre passage est prévu 9 h 50 – 10 h 20.')
    expect(rows[1]!.text_body).toContain('Votre passage est prévu 9 h 20 – 9 h 50.')
    expect(rows[2]!.text_body).toContain('Votre passage est maintenant prévu 10 h 20 – 10 h 50.')
    expect(rows[3]!.text_body).toContain('Votre passage est maintenant prévu 10 h 50 – 11 h 20.')
    expect(rows[4]!.text_body).toContain('Votre passage est maintenant prévu 11 h 20 – 11 h 50.')
  })
})
