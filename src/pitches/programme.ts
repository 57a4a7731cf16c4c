import type { AppContext } from '../context.js'
import type { Platform } from '../db/schema.js'
import { findSessionById, lockSession, replaceAgenda, type SessionRow } from '../sessions/store.js'
import { type AgendaEdit, type AgendaRow, editAgenda } from './agenda-edit.js'
import { heldSlotTimes, promoteWaiting, tellMovedSlots } from './booking.js'
import { reorderPitch } from './initiatives.js'
import { countHeld } from './store.js'

// The facilitator's changes to a session's programme — the order of the pitches and the agenda — each in one
// transaction under the session's lock, telling every holder whose slot time moved.

/** Moves a held pitch one slot up or down; the two holders who swap times are told. */
export async function reorderHeld(ctx: AppContext, platform: Platform, session: SessionRow, pitchId: number, direction: 'up' | 'down'): Promise<boolean> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, session.id)
    const current = (await findSessionById(trx, session.id))!
    const times = await heldSlotTimes(trx, current)
    const moved = await reorderPitch(trx, session.id, pitchId, direction, ctx.clock().toISOString())
    if (moved) await tellMovedSlots(ctx, trx, platform, current, times)
    return moved
  })
}

/**
 * Saves the agenda typed by the facilitator, checked again under the session's lock (a holder may take a
 * slot while the facilitator edits). New slots go to the first waiting holders; every other holder whose
 * time the new durations, lines or order move is told.
 */
export async function saveAgenda(ctx: AppContext, platform: Platform, session: SessionRow, rows: AgendaRow[]): Promise<AgendaEdit> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockSession(trx, session.id)
    const current = (await findSessionById(trx, session.id))!
    const edit = editAgenda(rows, { start: current.start_time, end: current.end_time, held: await countHeld(trx, session.id) })
    if (!edit.ok) return edit
    const times = await heldSlotTimes(trx, current)
    await replaceAgenda(trx, session.id, edit.items)
    const saved = (await findSessionById(trx, session.id))! // its pitch slots follow the new agenda
    await promoteWaiting(ctx, trx, platform, saved)
    await tellMovedSlots(ctx, trx, platform, saved, times)
    return edit
  })
}
