import type { Platform } from '../db/schema.js'
import { BODY_RETENTION_DAYS } from '../mail/outbox.js'
import { RETENTION_MONTHS } from './retention.js'

// The privacy notice of a platform (issue #17), from what the platform is (pure): who is responsible, what is
// kept and why, for how long, the rights and how to use them, and the supervisory authority of its country.
// A facilitator-edited version needs a column of the platform (not there yet): this is the sensible default.

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

export function noticeFor(platform: Pick<Platform, 'name' | 'contact_name' | 'contact_email' | 'contact_phone' | 'country'>): Notice {
  return {
    responsible: platform.contact_name ? `${platform.name} (${platform.contact_name})` : platform.name,
    contactEmail: platform.contact_email,
    contactPhone: platform.contact_phone,
    retentionMonths: RETENTION_MONTHS,
    mailDays: BODY_RETENTION_DAYS,
    authority: AUTHORITIES[platform.country.toUpperCase()] ?? null,
  }
}
