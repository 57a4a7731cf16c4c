import type { AppContext } from '../context.js'
import type { Platform } from '../db/schema.js'
import { exportPerson, type PersonExport } from './export.js'
import { queuePersonExport } from './retention-mail.js'

// "Mes données" from a personal link (tracker 22): the holder's /pitch/{token} and the partner's /rsvp/{token}
// pages have a button (POST + CSRF) that sends everything held about the link's person to their own address,
// the one on the row behind the link; the page only says that it was sent. At most once an hour per person
// (the audit trail says when they last asked: actor 'person'); every export is logged there. The pages' owners
// (pitches/, partners/) get this function from app.ts, as they cannot import privacy/.

export const SELF_EXPORT_MINUTES = 60

export type SelfExportResult = 'sent' | 'limited'

export type SelfExport = (platform: Platform, person: { name: string; email: string }) => Promise<SelfExportResult>

/** Earlier exports mailed to them are named, not copied again into the new one. */
function withoutEarlierExports(doc: PersonExport): PersonExport {
  const outbox = doc.tables.outbox?.map((row) => row.kind === 'person.export'
    ? { ...row, text_body: '(un envoi précédent de vos données)', html_body: '' } : row)
  return outbox ? { ...doc, tables: { ...doc.tables, outbox } } : doc
}

export function selfExport(ctx: AppContext): SelfExport {
  return async (platform, person) => {
    const now = ctx.clock()
    const since = new Date(now.getTime() - SELF_EXPORT_MINUTES * 60_000).toISOString()
    return ctx.db.transaction().execute(async (trx) => {
      const doc = await exportPerson({ db: trx, platform: { id: platform.id, slug: platform.slug }, email: person.email, now, actor: { kind: 'person' }, notSince: since })
      if (!doc) return 'limited'
      await queuePersonExport(ctx, trx, platform, person, JSON.stringify(withoutEarlierExports(doc), null, 2))
      return 'sent'
    })
  }
}
