import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Db, Platform } from '../db/schema.js'
import { type FieldErrors, parseForm } from '../web/forms.js'
import { openSecret, sealSecret } from '../web/secret-box.js'
import { page } from '../web/views.js'
import { platformBase, platformOf } from './access.js'
import { settingsForm } from './forms.js'
import { MAILBOX_SECRET_PURPOSE, mailboxLabel } from './mailbox.js'

// "Réglages" of one platform (/admin/p/{slug}/settings, in the platform scope): its contact, times, booking
// rules; its privacy notice and retention period (tracker 22); its own ORGANIZER mailbox (tracker 23), whose
// password is sealed (web/secret-box.ts) and never shown back — an empty password field keeps the stored one.
// What the page says of privacy (the default notice, the next retention run) comes from privacy/ through app.ts.

export interface SettingsExtras {
  /** The platform's default privacy notice, as text to start editing from (privacy/notice.ts). */
  defaultNotice: (platform: Platform) => string
  /** What the next retention run will erase (privacy/retention.ts retentionPreview). */
  retention: (db: Db, platform: Platform) => Promise<unknown>
}

const sameText = (a: string, b: string) => a.replace(/\s+/g, ' ').trim() === b.replace(/\s+/g, ' ').trim()

export async function platformSettingsRoutes(app: FastifyInstance, opts: { extras: SettingsExtras }) {
  const ctx = app.ctx

  async function render(request: FastifyRequest, reply: FastifyReply, platform: Platform, values: Record<string, unknown>, errors: FieldErrors, status = 200) {
    // A password is never shown back, even the one just typed into a form sent back with errors.
    const { reply_imap_password: _never, ...shown } = values
    return page(request, reply, 'admin/settings.eta', {
      title: 'Réglages', platform, base: platformBase(platform), values: shown, errors,
      retention: await opts.extras.retention(ctx.db, platform),
      mailbox: platform.reply_imap_url ? mailboxLabel(platform.reply_imap_url) : null,
      passwordStored: platform.reply_imap_secret !== null, instanceMailbox: ctx.config.replyImapUrl !== null,
      saved: (request.query as { saved?: string }).saved === '1',
      when: (iso: string) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: platform.timezone }).format(new Date(iso)),
    }, status)
  }

  app.get('/settings', async (request, reply) => {
    const platform = platformOf(request)
    const values: Record<string, unknown> = Object.fromEntries(Object.entries(platform).map(([k, v]) => [k, v === null ? '' : String(v)]))
    delete values.reply_imap_secret
    values.privacy_notice = platform.privacy_notice ?? opts.extras.defaultNotice(platform)
    return render(request, reply, platform, values, {})
  })

  app.post('/settings', async (request, reply) => {
    const platform = platformOf(request)
    const form = parseForm(settingsForm, request.body)
    if (!form.ok) return render(request, reply, platform, form.values, form.errors, 400)
    const { privacy_notice, retention_months, reply_imap_url, reply_imap_password, reply_imap_forget, ...d } = form.data
    // The mailbox: removed, kept, or replaced (a new password, typed apart or inside the URL).
    let mailbox: { reply_imap_url: string | null; reply_imap_secret: string | null } = { reply_imap_url: null, reply_imap_secret: null }
    if (reply_imap_url && !reply_imap_forget) {
      const password = reply_imap_password || reply_imap_url.password
      const kept = platform.reply_imap_secret && openSecret(ctx.config.sessionSecret, MAILBOX_SECRET_PURPOSE, platform.reply_imap_secret) !== null ? platform.reply_imap_secret : null
      const secret = password ? sealSecret(ctx.config.sessionSecret, MAILBOX_SECRET_PURPOSE, password) : kept
      if (!secret) {
        return render(request, reply, platform, form.values, { reply_imap_password: 'Indiquez le mot de passe (ou mot de passe d’application) de la boîte.' }, 400)
      }
      mailbox = { reply_imap_url: reply_imap_url.url, reply_imap_secret: secret }
    }
    // The notice left as the default (as the form showed it, or of the platform as now saved) stays the default:
    // it follows later changes of the period and the contact.
    const defaults = [opts.extras.defaultNotice(platform), opts.extras.defaultNotice({ ...platform, ...d, retention_months })]
    const notice = privacy_notice && !defaults.some((t) => sameText(privacy_notice, t)) ? privacy_notice : null
    await ctx.db.updateTable('platform').set({
      ...d, reminder_days: d.reminder_days.replace(/\s/g, ''), privacy_notice: notice, retention_months, ...mailbox, updated_at: ctx.clock().toISOString(),
    }).where('id', '=', platform.id).execute()
    return reply.redirect(`${platformBase(platform)}/settings?saved=1`, 303)
  })
}
