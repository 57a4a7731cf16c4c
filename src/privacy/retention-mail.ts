import type { AppContext } from '../context.js'
import type { Db, Platform } from '../db/schema.js'
import { headerSafe, tidyText } from '../mail/compose.js'
import { enqueueMail, messageDomain } from '../mail/outbox.js'
import { singleLine } from '../calendar/sanitise.js'
import { platformBase } from '../platforms/access.js'

// The mails of privacy/: the facilitators' notice of the next retention run (figures only: how many holders,
// contacts and other people, never who), and a person's own export sent to their address ("Mes données").
// Rendered like the other mails (views/mail/<kind>.*.eta in the common layout) and queued in the caller's
// transaction.

export interface RetentionFigures { runAt: string; cutoff: string; months: number; holders: number; contacts: number; others: number }

const frenchDate = (iso: string, zone: string) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeZone: zone }).format(new Date(iso))

function render(ctx: AppContext, kind: 'retention.notice' | 'person.export', subject: string, data: Record<string, unknown>) {
  const it = { ...data, kind, subject: headerSafe(subject) }
  return { subject: it.subject, text: tidyText(ctx.views.render(`mail/${kind}.txt.eta`, it)), html: ctx.views.render(`mail/${kind}.html.eta`, it) }
}

const privacyUrl = (ctx: AppContext, platform: Pick<Platform, 'slug'>) => `${ctx.config.publicUrl}/${encodeURIComponent(platform.slug)}/confidentialite`

/** One mail to each active facilitator of the platform (called once per announced run). */
export async function queueRetentionNotice(ctx: AppContext, db: Db, platform: Platform, f: RetentionFigures): Promise<number> {
  const facilitators = await db.selectFrom('facilitator').innerJoin('facilitator_platform', 'facilitator_platform.facilitator_id', 'facilitator.id')
    .select(['facilitator.id', 'facilitator.name', 'facilitator.email']).where('facilitator_platform.platform_id', '=', platform.id)
    .where('facilitator.disabled_at', 'is', null).orderBy('facilitator.id').execute()
  const day = frenchDate(f.runAt, platform.timezone)
  const data = {
    platformName: singleLine(platform.name), contactEmail: null, privacyUrl: privacyUrl(ctx, platform),
    day, since: frenchDate(f.cutoff, platform.timezone), months: f.months, holders: f.holders, contacts: f.contacts, others: f.others,
    total: f.holders + f.contacts + f.others, settingsUrl: `${ctx.config.publicUrl}${platformBase(platform)}/settings`,
  }
  for (const person of facilitators) {
    const mail = render(ctx, 'retention.notice', `Données personnelles : effacement prévu le ${day} – ${platform.name}`, { ...data, recipientName: singleLine(person.name) })
    await enqueueMail(db, {
      kind: 'retention.notice', platformId: platform.id, sessionId: null, threadKey: null,
      dedupeKey: `retention:${platform.id}:${f.runAt}:${person.id}`, to: { name: person.name, email: person.email }, ...mail,
    }, ctx.clock().toISOString(), messageDomain(ctx.config.publicUrl))
  }
  return facilitators.length
}

/** The person's export, to their own address (never shown on the page that asked for it). */
export async function queuePersonExport(ctx: AppContext, db: Db, platform: Platform, to: { name: string; email: string }, json: string): Promise<void> {
  const mail = render(ctx, 'person.export', `Vos données personnelles – ${platform.name}`, {
    platformName: singleLine(platform.name), contactEmail: platform.contact_email, privacyUrl: privacyUrl(ctx, platform),
    recipientName: singleLine(to.name), json,
  })
  await enqueueMail(db, {
    kind: 'person.export', platformId: platform.id, sessionId: null, threadKey: null, to, ...mail,
  }, ctx.clock().toISOString(), messageDomain(ctx.config.publicUrl))
}
