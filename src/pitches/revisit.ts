import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { findSessionById, type SessionRow } from '../sessions/store.js'
import { type BookingResult, bookPitch, isLive } from './booking.js'
import { revisitOffered } from './record-query.js'
import { findHolder, findPitch, findPitchForHolder } from './store.js'

// "À revoir lors d'une prochaine séance": the facilitator offered the holder a later session (record/ keeps
// the offer in pitch_record, read through record-query.ts); from their /pitch/ link the holder books it in one step,
// through the usual booking (bookPitch), with the same initiative.

export interface RevisitOffer {
  session: SessionRow
  /** Their booking on the offered session, if they already have a live one. */
  bookedPitchId: number | null
}

/** The later session offered on this pitch, if one is offered and still published and to come. */
export async function revisitOffer(db: Db, pitchId: number, today: string): Promise<RevisitOffer | null> {
  const record = await revisitOffered(db, pitchId)
  if (!record?.revisit || record.revisit_session_id === null) return null
  const session = await findSessionById(db, record.revisit_session_id)
  if (!session || !revisitOpen(session, today)) return null
  const pitch = await findPitch(db, pitchId)
  if (!pitch) return null
  const booked = await findPitchForHolder(db, session.id, pitch.holder_id)
  return { session, bookedPitchId: booked && isLive(booked) ? booked.id : null }
}

/** An offered session stays bookable until its day, whatever the public form's closing delay: it was offered. */
export function revisitOpen(session: Pick<SessionRow, 'status' | 'date'>, today: string): boolean {
  return session.status === 'published' && session.date >= today
}

/** Books the offered session for the holder of `pitchId`, with the same initiative: null when nothing is offered. */
export async function bookRevisit(ctx: AppContext, platform: Platform, pitchId: number, today: string): Promise<BookingResult | null> {
  const offer = await revisitOffer(ctx.db, pitchId, today)
  const pitch = await findPitch(ctx.db, pitchId)
  if (!offer || !pitch) return null
  const holder = await findHolder(ctx.db, pitch.holder_id)
  return bookPitch(ctx, platform, offer.session.id, {
    holder: { name: holder.name, email: holder.email, phone: holder.phone, kind: holder.kind, commune_id: holder.commune_id },
    initiative: { title: pitch.title, summary: pitch.summary, domain: pitch.domain, needs: pitch.needs ? pitch.needs.split(',') : [], stage: pitch.stage, commune_id: pitch.commune_id },
    attendance: pitch.attendance_mode, publicTitle: pitch.public_title === 1,
  }, (s) => revisitOpen(s, today))
}
