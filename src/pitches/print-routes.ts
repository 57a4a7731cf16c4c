import type { FastifyInstance } from 'fastify'
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

export async function pitchPrintRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const { present, sessionOf, pitchOf, programme } = pitchPages(ctx)

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
    const signers = held.filter((p) => p.status === 'confirmed')
    return page(request, reply, 'print/agenda.eta', {
      title: `${platform.name} — ${present(platform, session).longDate}`, platform, session: present(platform, session),
      agenda, signers, blankRows: 10, HOLDER_KINDS,
    })
  })
}
