import { afterEach, describe, expect, it } from 'vitest'
import { insertAdvice } from '../../src/partners/advice.js'
import { findPitchRecord } from '../../src/record/store.js'
import { stageMove } from '../../src/record/rules.js'
import { type Client, csrfToken } from '../helpers/app.js'
import { RECORD, world, type World } from './helpers.js'

// Tracker 19's leftovers: the record's "stage after" moves the initiative's stage (keeping the stage before,
// so the journey dates the change), and advice given at the table can be corrected or removed.

let w: World
afterEach(async () => { await w?.t.close() })

async function recordForm(client: Client, pitchId: number, fields: Record<string, string>) {
  const html = (await client.get(RECORD)).body
  const version = new RegExp(`name="pitch_id" value="${pitchId}">\\s*<input type="hidden" name="version" value="(\\d+)">`).exec(html)![1]!
  return { _csrf: csrfToken(html), pitch_id: String(pitchId), version, ...fields }
}

const stageOf = async (pitchId: number) => {
  const row = await w.t.db.selectFrom('pitch').innerJoin('initiative', 'initiative.id', 'pitch.initiative_id').select('initiative.stage').where('pitch.id', '=', pitchId).executeTakeFirstOrThrow()
  return row.stage
}
const adviceRows = (pitchId: number) => w.t.db.selectFrom('advice').selectAll().where('pitch_id', '=', pitchId).orderBy('id').execute()

describe('stageMove (pure)', () => {
  it('keeps the stage before and moves the initiative on the first stage recorded', () => {
    expect(stageMove(undefined, 'projet', 'idee')).toEqual({ before: 'idee', set: 'projet' })
    expect(stageMove(undefined, 'idee', 'idee')).toEqual({ before: 'idee' })
    expect(stageMove(undefined, null, 'idee')).toEqual({ before: null })
  })
  it('a correction keeps the first "before", and moves the initiative only if nothing else moved it', () => {
    expect(stageMove({ stage_before: 'idee', stage_after: 'projet' }, 'en_cours', 'projet')).toEqual({ before: 'idee', set: 'en_cours' })
    expect(stageMove({ stage_before: 'idee', stage_after: 'projet' }, 'en_cours', 'lancee')).toEqual({ before: 'idee' })
    expect(stageMove({ stage_before: 'idee', stage_after: 'projet' }, 'projet', 'projet')).toEqual({ before: 'idee' })
  })
  it('clearing the stage gives the initiative back its stage before', () => {
    expect(stageMove({ stage_before: 'idee', stage_after: 'projet' }, null, 'projet')).toEqual({ before: null, set: 'idee' })
    expect(stageMove({ stage_before: 'idee', stage_after: 'projet' }, null, 'lancee')).toEqual({ before: null })
  })
})

describe("the record's stage after the pitch", () => {
  it("updates the initiative's stage and keeps the stage before; a second save changes nothing", async () => {
    w = await world()
    const [first] = w.pitches as [number, number]
    expect(await stageOf(first)).toBe('idee')
    const res = await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'Un jardin.', stage_after: 'projet' }))
    expect(res.statusCode).toBe(303)
    expect(await stageOf(first)).toBe('projet')
    expect(await findPitchRecord(w.t.db, first)).toMatchObject({ stage_before: 'idee', stage_after: 'projet', version: 1 })
    expect((await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'Un jardin.', stage_after: 'projet' }))).statusCode).toBe(303)
    expect(await findPitchRecord(w.t.db, first)).toMatchObject({ stage_before: 'idee', stage_after: 'projet', version: 1 })
    // A correction keeps the stage before the pitch.
    await w.admin.post(RECORD, await recordForm(w.admin, first, { summary: 'Un jardin.', stage_after: 'en_cours' }))
    expect(await stageOf(first)).toBe('en_cours')
    expect(await findPitchRecord(w.t.db, first)).toMatchObject({ stage_before: 'idee', stage_after: 'en_cours', version: 2 })
  })
})

describe('advice corrected or removed on the record page', () => {
  it('edits advice said at the table, refuses an empty text (400, filled), deletes; written advice is only deleted', async () => {
    w = await world()
    const [first, second] = w.pitches as [number, number]
    await w.admin.post(RECORD, await recordForm(w.admin, first, { advice_who_0: `partner:${w.partners.caf}`, advice_body_0: 'Demandez une aide au démarage.' }))
    await insertAdvice(w.t.db, { pitchId: first, contactId: w.contacts.lea, partnerId: w.partners.dept, body: 'Pensez au fonds de participation.' }, '2026-12-18T08:00:00.000Z')
    const stored = await adviceRows(first)
    const said = stored[0]!, written = stored[1]!
    let html = (await w.admin.get(RECORD)).body
    expect(html).toContain(`action="${RECORD}/advice/${said.id}"`)
    const edit = await w.admin.post(`${RECORD}/advice/${said.id}`, { _csrf: csrfToken(html), action: 'edit', body: 'Demandez une aide au démarrage.' })
    expect(edit.statusCode).toBe(303)
    expect(edit.headers.location).toBe(`${RECORD}?advice=edited#pitch-${first}`)
    expect((await adviceRows(first)).map((a) => a.body)).toEqual(['Demandez une aide au démarrage.', 'Pensez au fonds de participation.'])

    html = (await w.admin.get(RECORD)).body
    const empty = await w.admin.post(`${RECORD}/advice/${said.id}`, { _csrf: csrfToken(html), action: 'edit', body: '   ' })
    expect(empty.statusCode).toBe(400)
    expect(empty.body).toContain('Écrivez le conseil (ou supprimez-le).')
    const rewrite = await w.admin.post(`${RECORD}/advice/${written.id}`, { _csrf: csrfToken(html), action: 'edit', body: 'Autre chose.' })
    expect(rewrite.statusCode).toBe(400)
    expect(rewrite.body).toContain('ne se modifie pas')
    expect((await adviceRows(first)).map((a) => a.body)).toEqual(['Demandez une aide au démarrage.', 'Pensez au fonds de participation.'])

    // Another pitch's advice id through this session is found; an unknown one is 404; no CSRF, refused.
    expect((await w.admin.post(`${RECORD}/advice/999999`, { _csrf: csrfToken(html), action: 'delete' })).statusCode).toBe(404)
    expect((await w.admin.post(`${RECORD}/advice/${written.id}`, { action: 'delete' })).statusCode).toBe(403)
    const del = await w.admin.post(`${RECORD}/advice/${written.id}`, { _csrf: csrfToken(html), action: 'delete' })
    expect(del.statusCode).toBe(303)
    expect((await adviceRows(first)).map((a) => a.id)).toEqual([said.id])
    expect((await adviceRows(second))).toEqual([])
    expect((await w.admin.get(`${RECORD}?advice=deleted`)).body).toContain('Conseil supprimé.')
  })
})
