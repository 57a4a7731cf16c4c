import multipart from '@fastify/multipart'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Platform } from '../db/schema.js'
import { platformBase, platformOf, requireManagedPlatform } from '../platforms/access.js'
import { parseForm } from '../web/forms.js'
import { page } from '../web/views.js'
import { decodeCsv, MAX_IMPORT_ROWS, parseContactsCsv, type ParsedContacts } from './csv-import.js'
import { importBytes, importForm } from './forms.js'
import { openPreview, sealPreview } from './import-preview.js'
import { importContacts } from './store.js'
import { BodyRefused, multipartValues, TOO_LARGE } from '../web/multipart.js'

// Facilitators: the CSV import of contacts — choose or paste → preview with an error report by line → confirm.
// One of the two routes that take a file (with the platform form), so one of the only places multipart bodies
// are read at all (elsewhere they answer 415 unread), and only once the login and the platform are known.

/** The largest file taken; a pasted text or a sealed preview is a field of at most FIELD_BYTES. */
export const MAX_FILE_BYTES = 2 * 1024 * 1024
const FIELD_BYTES = 1024 * 1024
/** Beyond this announced length a body is refused before a byte of it is read. */
const MAX_BODY_BYTES = MAX_FILE_BYTES + FIELD_BYTES

const MULTIPART_LIMITS = {
  fileSize: MAX_FILE_BYTES, files: 1, fieldSize: FIELD_BYTES, fields: 8, parts: 9, fieldNameSize: 50, headerPairs: 20,
}

export async function partnerImportRoutes(app: FastifyInstance) {
  const ctx = app.ctx

  // Before any byte of the body: who asks (a login), for which platform (theirs), and how much. The scope's
  // preHandler (app.ts) then finds request.platform set and does not look it up again.
  app.addHook('onRequest', requireManagedPlatform)
  app.addHook('onRequest', async (request, reply) => {
    if (reply.sent) return
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new BodyRefused(413)
  })
  // attachFieldsToBody: true (not 'keyValues') to see which field was truncated; multipartValues flattens.
  await app.register(multipart, { attachFieldsToBody: true, limits: MULTIPART_LIMITS })
  const parsed = new WeakSet<FastifyRequest>()
  app.addHook('preValidation', async (request) => {
    if (request.isMultipart()) request.body = multipartValues((request.body ?? {}) as Record<string, unknown>)
    parsed.add(request)
  })

  function renderImport(request: FastifyRequest, reply: FastifyReply, platform: Platform, data: Record<string, unknown>, status = 200) {
    return page(request, reply, 'admin/partners-import.eta', {
      title: 'Importer des contacts', platform, base: platformBase(platform), values: {}, errors: {}, preview: null,
      maxRows: MAX_IMPORT_ROWS, maxMegabytes: MAX_FILE_BYTES / 1024 / 1024, ...data,
    }, status)
  }

  // A body the multipart reader refused (too large, no boundary, cut short) is the form's error, in French.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const platform = request.platform
    const tooLarge = error instanceof BodyRefused ? error.status === 413 : TOO_LARGE.has(error.code)
    const unreadable = (error instanceof BodyRefused && error.status === 400) || error.code === 'FST_PROTO_VIOLATION'
      || error.code === 'FST_INVALID_JSON_FIELD_ERROR' || (request.isMultipart() && !parsed.has(request) && !error.statusCode)
    if (!platform || (!tooLarge && !unreadable)) throw error
    request.log.info({ code: error.code }, 'import: multipart body refused')
    return renderImport(request, reply, platform, {
      errors: {
        csv_file: tooLarge
          ? `Le fichier est trop volumineux : ${MAX_FILE_BYTES / 1024 / 1024} Mo et ${MAX_IMPORT_ROWS} contacts au plus (un texte collé : 1 Mo). Découpez-le en plusieurs fichiers.`
          : "Le fichier n'a pas pu être reçu en entier. Choisissez-le à nouveau puis renvoyez le formulaire.",
      },
    }, tooLarge ? 413 : 400)
  })

  app.get('/partners/import', async (request, reply) => renderImport(request, reply, platformOf(request), {}))

  app.post('/partners/import', async (request, reply) => {
    const platform = platformOf(request)
    const owner = { platformId: platform.id, facilitatorId: request.login!.facilitatorId }
    const form = parseForm(importForm, request.body)
    if (!form.ok) return renderImport(request, reply, platform, { values: form.values, errors: form.errors }, 400)
    const previewOf = (contacts: ParsedContacts, csv: string) => ({
      ...contacts, csv, sealed: sealPreview(ctx.config.sessionSecret, owner, contacts, ctx.clock()),
    })

    if (form.data.step === 'preview') {
      const bytes = importBytes(form.data)
      const contacts = parseContactsCsv(bytes)
      // The decoded text fills "corriger et coller à nouveau", so a Windows-1252 file comes back as UTF-8.
      return renderImport(request, reply, platform, { values: form.values, preview: previewOf(contacts, decodeCsv(bytes)) },
        contacts.rows.length === 0 ? 400 : 200)
    }

    const contacts = openPreview(ctx.config.sessionSecret, owner, form.data.preview, ctx.clock())
    if (!contacts || contacts.rows.length === 0) {
      return renderImport(request, reply, platform, {
        errors: { csv: "Cet aperçu a expiré ou ne vient pas de cette page : choisissez votre fichier à nouveau pour voir l'aperçu, puis confirmez." },
      }, 400)
    }
    if (contacts.errors.length > 0 && !form.data.skip_errors) {
      return renderImport(request, reply, platform, {
        preview: previewOf(contacts, ''),
        errors: { skip_errors: 'Le fichier contient des erreurs : corrigez-les et collez-le à nouveau, ou cochez la case pour importer seulement les lignes correctes.' },
      }, 400)
    }
    const now = ctx.clock().toISOString()
    const report = await ctx.db.transaction().execute((trx) => importContacts(trx, platform.id, contacts.rows, now))
    const q = new URLSearchParams({ imported: String(report.contactsCreated), known: String(report.contactsKnown), orgs: String(report.partnersCreated) })
    return reply.redirect(`${platformBase(platform)}/partners?${q}`, 303)
  })
}
