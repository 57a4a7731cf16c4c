import type { FastifyInstance } from 'fastify'
import { findAnyPlatformBySlug } from '../platforms/store.js'
import { notFound, platformClosed } from '../web/errors.js'
import { page } from '../web/views.js'
import { noticeBlocks, noticeText } from './notice.js'

// GET /{platform}/confidentialite: the platform's privacy notice (its facilitators' text, or the default), for
// anyone; linked from every page's footer, the booking form and every email's footer.
// An archived platform's answers 410, as its other public pages.

export async function privacyPublicRoutes(app: FastifyInstance) {
  const ctx = app.ctx
  app.get('/:platform/confidentialite', async (request, reply) => {
    const platform = await findAnyPlatformBySlug(ctx.db, (request.params as { platform: string }).platform)
    if (!platform) return notFound(request, reply)
    if (platform.archived_at) return platformClosed(request, reply, platform.name)
    return page(request, reply, 'public/privacy.eta', {
      title: 'Données personnelles et vie privée', siteName: platform.name, homeHref: `/${platform.slug}`, platform,
      blocks: noticeBlocks(noticeText(platform)), edited: Boolean(platform.privacy_notice?.trim()),
    })
  })
}
