import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { FieldErrors } from '../web/forms.js'
import { notFound } from '../web/errors.js'
import { page } from '../web/views.js'
import { organisationsPresent, peoplePresent, PRESENCE_LABELS } from './attendance.js'
import { parseAttendance } from './forms.js'
import { rollOf, type SaveResult, saveRoll } from './roll.js'
import { pageCommon, recordTarget, type RecordTarget } from './target.js'

// Who came, at the table: one screen, pre-filled from the answers and the pitches, one tap per person.
// Registered inside the /admin/p/:slug scope (app.ts): the login and the platform are checked there.

export async function attendanceRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  async function renderRoll(request: FastifyRequest, reply: FastifyReply, t: RecordTarget, options: { values?: Record<string, unknown>; errors?: FieldErrors; conflicts?: SaveResult['conflicts']; status?: number } = {}) {
    const { people } = await rollOf(ctx.db, t.session.id)
    const c = pageCommon(ctx, t.platform, t.session)
    return page(request, reply, 'admin/record/attendance.eta', {
      ...c, title: `Présences — séance du ${c.day}`, open: t.open, people, PRESENCE_LABELS,
      organisations: organisationsPresent(people), present: peoplePresent(people),
      values: options.values ?? {}, errors: options.errors ?? {}, conflicts: options.conflicts ?? [], saved: (request.query as { saved?: string }).saved === '1',
    }, options.status ?? 200)
  }

  app.get('/sessions/:date/record/attendance', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    return renderRoll(request, reply, t)
  })

  app.post('/sessions/:date/record/attendance', async (request, reply) => {
    const t = await recordTarget(ctx, request)
    if (!t) return notFound(request, reply)
    const values = { ...(request.body as Record<string, unknown>) }
    if (!t.open) return renderRoll(request, reply, t, { values, errors: { _form: 'Les présences se notent à partir du jour de la séance.' }, status: 409 })
    const form = parseAttendance(request.body)
    if (!form.ok) return renderRoll(request, reply, t, { values, errors: form.errors, status: 400 })
    const result = await saveRoll(ctx, t.platform, t.session, form.data, request.login?.facilitatorId ?? null)
    if (result.conflicts.length) return renderRoll(request, reply, t, { conflicts: result.conflicts, status: 409 })
    return reply.redirect(`${pageCommon(ctx, t.platform, t.session).here}/record/attendance?saved=1`, 303)
  })

}
