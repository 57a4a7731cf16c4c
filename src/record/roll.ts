import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { emailKey } from '../partners/store.js'
import { nameKey } from '../platforms/names.js'
import { findSessionById, lockSession, type SessionRow } from '../sessions/store.js'
import { type Conflict, mergeAttendance, type Person, rollOrder, type Stored } from './attendance.js'
import type { AttendanceInput } from './forms.js'
import { expectedContacts, heldPitches, type HeldPitch, platformContacts, platformPartners } from './reads.js'
import { type AttendanceRow, attendanceWithNames, personKey, upsertPresence } from './store.js'

// The session's roll: who is expected (answers, delegates, pitches) beside who was marked, and one save.

/**
 * Everyone on the attendance screen, in the sign-in sheet's order (attendance.ts rollOrder): the expected,
 * then anyone else marked (walk-ins), each once; and the held pitches it read.
 */
export async function rollOf(db: Db, sessionId: number): Promise<{ people: Person[]; rows: Map<string, AttendanceRow>; pitches: HeldPitch[] }> {
  const [rowsList, { answered, delegates }, pitches, session] = await Promise.all([
    attendanceWithNames(db, sessionId), expectedContacts(db, sessionId), heldPitches(db, sessionId), findSessionById(db, sessionId),
  ])
  // In videoconference, the facilitator fills the sheet for everyone expected.
  const visio = session?.mode === 'videoconference'
  const rows = new Map(rowsList.map((r) => [personKey(r), r]))
  const people = new Map<string, Person>()
  const add = (p: Omit<Person, 'presence' | 'updatedAt'>) => {
    if (people.has(p.key)) return
    const row = rows.get(p.key)
    people.set(p.key, { ...p, presence: row?.presence ?? null, updatedAt: row?.updated_at ?? null })
  }
  pitches.forEach((p, rank) => {
    add({
      key: `h${p.holderId}`, name: p.holderName, organisation: null, expected: `Porteur de projet — « ${p.title} » (${p.attendanceMode === 'remote' ? 'à distance' : 'sur place'})`,
      contactId: null, holderId: p.holderId, partnerId: null, place: { kind: 'holder', sheet: visio || p.attendanceMode === 'on_site', rank },
    })
  })
  for (const c of answered) {
    add({
      key: `c${c.contactId}`, name: c.name, organisation: c.organisation, expected: c.answer === 'remote' ? 'A répondu : à distance' : 'A répondu : sur place',
      contactId: c.contactId, holderId: null, partnerId: c.partnerId, place: { kind: 'partner', sheet: visio || c.answer === 'on_site', rank: 0 },
    })
  }
  for (const c of delegates) {
    add({ key: `c${c.contactId}`, name: c.name, organisation: c.organisation, expected: 'Remplace un·e collègue', contactId: c.contactId, holderId: null, partnerId: c.partnerId, place: { kind: 'partner', sheet: true, rank: 0 } })
  }
  for (const [key, r] of rows) {
    add({
      key, name: r.contact_name ?? r.holder_name ?? r.name ?? '—', organisation: r.partner_name ?? r.organisation, expected: 'Venu·e sans inscription',
      contactId: r.contact_id, holderId: r.holder_id, partnerId: r.partner_id, place: { kind: 'walkin', sheet: false, rank: r.id },
    })
  }
  return { people: rollOrder([...people.values()]), rows, pitches }
}

export interface SaveResult { conflicts: Array<Conflict & { name: string }> }

/**
 * One facilitator's save, in one transaction under the session's lock (two saves take turns): the marks
 * merge person by person into what is stored now (attendance.ts), and a walk-in joins the roll — as the
 * contact their email names, or linked to the organisation their organisation names, or by name alone.
 */
export async function saveRoll(ctx: AppContext, platform: Platform, session: SessionRow, input: AttendanceInput, by: number | null): Promise<SaveResult> {
  const now = ctx.clock().toISOString()
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, session.id)
    const { people, rows } = await rollOf(trx, session.id)
    const byKey = new Map(people.map((p) => [p.key, p]))
    const stored = new Map<string, Stored>([...rows].map(([k, r]) => [k, { presence: r.presence, updatedAt: r.updated_at }]))
    const shown = input.marks.filter((m) => byKey.has(m.key))
    const { writes, conflicts } = mergeAttendance(shown, stored)
    for (const w of writes) {
      const p = byKey.get(w.key)!
      await upsertPresence(trx, session.id, rows.get(w.key), { contactId: p.contactId, holderId: p.holderId, partnerId: p.partnerId, name: null, organisation: null, email: null }, w.presence, by, now)
    }
    if (input.walkin) await addWalkin(trx, platform, session.id, input.walkin, rows, by, now)
    return { conflicts: conflicts.map((c) => ({ ...c, name: byKey.get(c.key)!.name })) }
  })
}

async function addWalkin(db: Db, platform: Platform, sessionId: number, w: NonNullable<AttendanceInput['walkin']>, rows: Map<string, AttendanceRow>, by: number | null, now: string) {
  const contact = w.email ? (await platformContacts(db, platform.id)).find((c) => c.emailKey === emailKey(w.email!)) : undefined
  if (contact) {
    const existing = rows.get(`c${contact.id}`)
    if (existing?.presence === w.presence) return
    await upsertPresence(db, sessionId, existing, { contactId: contact.id, holderId: null, partnerId: contact.partnerId, name: null, organisation: null, email: null }, w.presence, by, now)
    return
  }
  const partner = w.organisation ? (await platformPartners(db, platform.id)).find((p) => p.name_key === nameKey(w.organisation!)) : undefined
  // The same walk-in sent twice (a double tap, a second save) is one person.
  const same = [...rows.values()].find((r) => r.contact_id === null && r.holder_id === null && nameKey(r.name ?? '') === nameKey(w.name)
    && nameKey(r.organisation ?? '') === nameKey(w.organisation ?? ''))
  if (same?.presence === w.presence) return
  await upsertPresence(db, sessionId, same, { contactId: null, holderId: null, partnerId: partner?.id ?? null, name: w.name, organisation: w.organisation, email: w.email }, w.presence, by, now)
}
