import type { FastifyInstance } from 'fastify'
import type { Db } from '../db/schema.js'
import { formatTime, formatTimeRange } from '../calendar/zoned.js'
import { platformBase } from '../platforms/access.js'
import { timeAgenda } from '../sessions/agenda.js'
import { notFound } from '../web/errors.js'
import { page } from '../web/views.js'
import { STATUS_LABELS } from './admin-forms.js'
import { pitchPages } from './admin-pages.js'
import { pitchToken, slotTime } from './booking.js'
import { HOLDER_KINDS } from './forms.js'
import { holdsSlot } from './waiting-list.js'

// What the facilitator prints (A4): a holder's own sheet, and the session's timed agenda with the sign-in sheet.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

/** One named row of the sign-in sheet (record/sheet.ts builds them, in the attendance screen's order). */
export interface SignInRow { name: string; organisation: string; kind: 'holder' | 'partner' }

export interface PrintOptions {
  /** Who is expected on paper (partners on site, holders): record/, a higher floor, handed in by app.ts. */
  signInSheet?: (db: Db, sessionId: number) => Promise<SignInRow[]>
}

/** Blank rows for the people who come without notice. */
const BLANK_ROWS = 10

export async function pitchPrintRoutes(app: FastifyInstance, opts: PrintOptions = {}) {
  const ctx = app.ctx
  const { present, sessionOf, pitchOf, programme } = pitchPages(ctx)

  /** The sheet's rows: from the record when app.ts handed it in, else the confirmed holders alone. */
  async function signers(sessionId: number, held: Array<{ status: string; holder_name: string; title: string; attendance_mode: string }>): Promise<SignInRow[]> {
    if (opts.signInSheet) return opts.signInSheet(ctx.db, sessionId)
    return held.filter((p) => p.status === 'confirmed' && p.attendance_mode === 'on_site')
      .map((p) => ({ name: p.holder_name, organisation: `Porteur de projet — « ${p.title} »`, kind: 'holder' as const }))
  }

  // A holder's own sheet, for someone without an email address: what their page says, and its address.
  app.get('/sessions/:date/pitches/:id/print', async (request, reply) => {
    const c = await pitchOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session, pitch } = c
    return page(request, reply, 'print/pitch.eta', {
      title: `${pitch.holder_name} — ${present(platform, session).longDate}`, platform, session: present(platform, session), pitch,
      slot: holdsSlot(pitch.status) ? await slotTime(ctx.db, session, pitch.id) : null, STATUS_LABELS,
      link: `${ctx.config.publicUrl}/pitch/${pitchToken(ctx, pitch)}`, back: `${platformBase(platform)}/sessions/${session.date}/pitches#pitch-${pitch.id}`,
    })
  })

  // --- The facilitator's printed copy: timed agenda with the pitches, and the sign-in sheet --------------

  app.get('/sessions/:date/print', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session } = c
    const { items, held } = await programme(session)
    const agenda = timeAgenda(items, session.start_time).map((a) => ({
      time: formatTimeRange(a.start, a.end), start: formatTime(a.start), title: a.item.title, kind: a.item.kind,
      pitch: a.slotNumber ? held[a.slotNumber - 1] ?? null : null,
    }))
    return page(request, reply, 'print/agenda.eta', {
      title: `${platform.name} — ${present(platform, session).longDate}`, platform, session: present(platform, session),
      agenda, signers: await signers(session.id, held), blankRows: BLANK_ROWS, HOLDER_KINDS, back: `${platformBase(platform)}/sessions/${session.date}`,
    })
  })

  // The sign-in sheet alone (feuille d'émargement), what the funder files: its header on every page, numbered.
  app.get('/sessions/:date/emargement', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session } = c
    const { held } = await programme(session)
    return page(request, reply, 'print/sign-in.eta', {
      title: `Feuille d'émargement — ${platform.name} — ${present(platform, session).longDate}`, platform, session: present(platform, session),
      signers: await signers(session.id, held), blankRows: BLANK_ROWS, back: `${platformBase(platform)}/sessions/${session.date}`,
    })
  })
}
