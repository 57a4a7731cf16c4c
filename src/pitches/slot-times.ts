import { formatTimeRange } from '../calendar/zoned.js'
import { type AgendaTemplateItem, timeAgenda } from '../sessions/agenda.js'
import { slotOrder } from './agenda-edit.js'

// When each pitch holding a slot is expected to speak, and whose time a change moved. Pure: no database,
// no clock.

/** Slot time by pitch id, e.g. "9 h 20 – 10 h"; null for a held pitch the agenda has no slot for. */
export type SlotTimes = Map<number, string | null>

/**
 * The time of every held pitch (pending or confirmed): the n-th held pitch, by position then id, takes the
 * n-th pitch slot of the agenda timed from the session's start — what the holder's emails and page say.
 */
export function slotTimes(held: Array<{ id: number; position: number }>, agenda: AgendaTemplateItem[], sessionStart: string): SlotTimes {
  const slots = timeAgenda(agenda, sessionStart).filter((a) => a.slotNumber !== null)
  return new Map(slotOrder(held).map((p, i) => {
    const slot = slots[i]
    return [p.id, slot ? formatTimeRange(slot.start, slot.end) : null]
  }))
}

export interface MovedSlot { pitchId: number; before: string | null; after: string }

/**
 * The pitches whose slot time a change moved, in their new slot order. Only pitches holding a slot both
 * before and after count: one that gains or loses its slot in the change gets an email about that (promoted,
 * confirmed, withdrawn, declined, waiting list, moved), which gives its time. A pitch left without a time
 * (more held pitches than slots, from older data) has nothing new to be told.
 */
export function movedSlots(before: SlotTimes, after: SlotTimes): MovedSlot[] {
  const moved: MovedSlot[] = []
  for (const [pitchId, time] of after) {
    if (!before.has(pitchId) || time === null) continue
    const was = before.get(pitchId)!
    if (was !== time) moved.push({ pitchId, before: was, after: time })
  }
  return moved
}
