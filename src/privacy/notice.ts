import type { Platform } from '../db/schema.js'
import { BODY_RETENTION_DAYS } from '../mail/outbox.js'

// The privacy notice of a platform (tracker 22): who is responsible, what is kept and why, for how long, the
// rights and how to use them, and the supervisory authority of its country. The facilitators edit it on the
// settings page, starting from the default made here (pure); platform.privacy_notice holds their text, null
// until they change it. The text is plain: paragraphs separated by a blank line, "## " starts a heading,
// "- " a list item; addresses and https:// links become links, everything else is shown as written.

/** Retention of a platform that set none (and the column's default). */
export const DEFAULT_RETENTION_MONTHS = 36

export interface Authority { name: string; url: string }

const AUTHORITIES: Record<string, Authority> = {
  FR: { name: 'la Commission nationale de l’informatique et des libertés (CNIL)', url: 'https://www.cnil.fr/fr/plaintes' },
  BE: { name: 'l’Autorité de protection des données (APD)', url: 'https://www.autoriteprotectiondonnees.be/citoyen/agir/introduire-une-plainte' },
  LU: { name: 'la Commission nationale pour la protection des données (CNPD)', url: 'https://cnpd.public.lu' },
}

export interface Notice {
  responsible: string
  contactEmail: string
  contactPhone: string | null
  retentionMonths: number
  mailDays: number
  authority: Authority | null
}

type NoticePlatform = Pick<Platform, 'name' | 'contact_name' | 'contact_email' | 'contact_phone' | 'country'> & { retention_months?: number | null }

export function noticeFor(platform: NoticePlatform): Notice {
  return {
    responsible: platform.contact_name ? `${platform.name} (${platform.contact_name})` : platform.name,
    contactEmail: platform.contact_email,
    contactPhone: platform.contact_phone,
    retentionMonths: platform.retention_months ?? DEFAULT_RETENTION_MONTHS,
    mailDays: BODY_RETENTION_DAYS,
    authority: AUTHORITIES[platform.country.toUpperCase()] ?? null,
  }
}

/** The default notice, as the text the facilitator starts editing from. */
export function defaultNoticeText(platform: NoticePlatform): string {
  const n = noticeFor(platform)
  const contact = `${n.contactEmail}${n.contactPhone ? ` (${n.contactPhone})` : ''}`
  const authority = n.authority
    ? `Si vous pensez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à ${n.authority.name} : ${n.authority.url}`
    : 'Si vous pensez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à l’autorité de protection des données de votre pays.'
  return [
    '## Qui est responsable',
    `${n.responsible} est responsable des données recueillies par cette plateforme. Pour toute question ou demande : ${contact}.`,
    '## Ce que nous gardons, et pourquoi',
    [
      '- Pour les personnes qui présentent une initiative : nom, adresse e-mail, téléphone si vous le donnez, commune, et ce que vous écrivez de votre initiative. Pour organiser la séance, vous prévenir et suivre les conseils et orientations qui vous sont donnés.',
      '- Pour les partenaires : nom, organisation, fonction, adresse e-mail et téléphone professionnels, vos réponses aux invitations et vos conseils. Pour vous inviter et rendre compte des séances.',
      '- Pour les personnes venues à une séance sans invitation : nom, organisation et adresse e-mail si vous la donnez, pour le compte rendu.',
      '- Les messages envoyés par la plateforme, pour savoir ce qui a été envoyé à qui.',
    ].join('\n'),
    'L’équipe d’animation voit tout ce que vous donnez. Les partenaires invités à la séance voient le titre de votre initiative, votre commune, son domaine et ses besoins, et entendent votre présentation ; vos coordonnées ne sont transmises qu’au partenaire vers lequel vous êtes orienté·e, et seulement si vous l’avez accepté. Le public ne voit que ce que vous acceptez de rendre public.',
    '## Pendant combien de temps',
    `Vos données sont effacées ${n.retentionMonths} mois après votre dernière activité (séance, présentation ou réponse) ; l’équipe d’animation en est prévenue une semaine avant. Le contenu des messages envoyés est effacé après ${n.mailDays} jours ; seuls restent leur date et leur type. Les chiffres de la plateforme (nombre de séances, de présentations, d’orientations) sont gardés sans votre nom.`,
    '## Vos droits',
    `Vous pouvez recevoir toutes les données que nous gardons sur vous : le bouton « Recevoir mes données » de votre lien personnel vous les envoie par e-mail, à votre adresse. Vous pouvez aussi les faire corriger ou effacer : écrivez à ${n.contactEmail} depuis l’adresse concernée. Nous vous répondons dans le mois, et en général le jour même.`,
    authority,
  ].join('\n\n')
}

/** The notice a platform shows: its facilitators' text, or the default. */
export function noticeText(platform: NoticePlatform & { privacy_notice?: string | null }): string {
  return platform.privacy_notice?.trim() ? platform.privacy_notice : defaultNoticeText(platform)
}

export interface Segment { text: string; href?: string }
export type NoticeBlock = { kind: 'h2' | 'p'; parts: Segment[] } | { kind: 'ul'; items: Segment[][] }

const LINK = /(https:\/\/[^\s<>"]+[^\s<>".,;:!?)»]|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g

/** A line of text cut into plain parts and links (https:// and addresses only). */
export function segments(line: string): Segment[] {
  const out: Segment[] = []
  let at = 0
  for (const m of line.matchAll(LINK)) {
    if (m.index > at) out.push({ text: line.slice(at, m.index) })
    out.push({ text: m[0], href: m[0].startsWith('https://') ? m[0] : `mailto:${m[0]}` })
    at = m.index + m[0].length
  }
  if (at < line.length) out.push({ text: line.slice(at) })
  return out
}

/** The notice's text as blocks for the page (pure; the view escapes every part). */
export function noticeBlocks(text: string): NoticeBlock[] {
  const blocks: NoticeBlock[] = []
  for (const chunk of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = chunk.split('\n').map((l) => l.trim()).filter(Boolean)
    if (lines.length === 0) continue
    let para: string[] = []
    let items: string[] = []
    const flush = () => {
      if (para.length) blocks.push({ kind: 'p', parts: segments(para.join(' ')) })
      if (items.length) blocks.push({ kind: 'ul', items: items.map(segments) })
      para = []
      items = []
    }
    for (const line of lines) {
      if (line.startsWith('## ')) { flush(); blocks.push({ kind: 'h2', parts: segments(line.slice(3).trim()) }) }
      else if (/^[-•] /.test(line)) { if (para.length) { blocks.push({ kind: 'p', parts: segments(para.join(' ')) }); para = [] } items.push(line.slice(2).trim()) }
      else { if (items.length) { blocks.push({ kind: 'ul', items: items.map(segments) }); items = [] } para.push(line) }
    }
    flush()
  }
  return blocks
}
