import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { platformBase } from '../platforms/access.js'
import { listAgenda, type SessionRow } from '../sessions/store.js'
import { notFound } from '../web/errors.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { agendaForm } from './admin-forms.js'
import { pitchPages } from './admin-pages.js'
import { AGENDA_KINDS, type AgendaRow, previewTimes, rowsOf, withBlankRow } from './agenda-edit.js'
import { saveAgenda } from './programme.js'
import { countHeld } from './store.js'

// The session's agenda ("Déroulé"): rows added, reordered, removed, with the times previewed; saved at once.
// Registered in the platform scope (/admin/p/{slug}, app.ts): the login and the platform are already checked.

export async function agendaRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  const { present, sessionOf } = pitchPages(ctx)

  async function renderAgenda(request: FastifyRequest, reply: FastifyReply, platform: Platform, session: SessionRow, rows: AgendaRow[], errors: FieldErrors, status = 200) {
    return page(request, reply, 'admin/session-agenda.eta', {
      title: 'Déroulé de la séance', platform, base: platformBase(platform), session: present(platform, session), rows, errors,
      times: previewTimes(rows, session.start_time), kinds: AGENDA_KINDS, held: await countHeld(ctx.db, session.id),
      pitchRows: rows.filter((r) => r.kind === 'pitch' && !r.remove && (r.title.trim() || r.duration.trim())).length,
      query: request.query ?? {},
    }, status)
  }

  app.get('/sessions/:date/agenda', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    return renderAgenda(request, reply, c.platform, c.session, withBlankRow(rowsOf(await listAgenda(ctx.db, c.session.id))), {})
  })

  app.post('/sessions/:date/agenda', async (request, reply) => {
    const c = await sessionOf(request)
    if (!c) return notFound(request, reply)
    const { platform, session } = c
    const form = parseForm(agendaForm, request.body)
    if (!form.ok) return renderAgenda(request, reply, platform, session, withBlankRow(rowsOf(await listAgenda(ctx.db, session.id))), form.errors, 400)
    const { op, rows } = form.data
    if (op === 'add') return renderAgenda(request, reply, platform, session, withBlankRow(rows), {})
    const outcome = await saveAgenda(ctx, platform, session, rows)
    if (!outcome.ok) return renderAgenda(request, reply, platform, session, rows, outcome.errors, 400)
    return reply.redirect(`${platformBase(platform)}/sessions/${session.date}/agenda?saved=1`, 303)
  })
}
