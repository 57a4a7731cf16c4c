import { nameKey } from '../platforms/names.js'
import type { PartnerFigures, PeriodRows } from './compute.js'

export const byFrench = new Intl.Collator('fr', { sensitivity: 'base' })

// Partner organisations at the sessions held of a period: invited, present, on site or remote, per organisation.

/**
 * Organisations invited and present at the sessions held. A walk-in's organisation (no partner_id) is one
 * organisation however its name is typed ("Mission locale", "MISSION  LOCALE"), and the known partner itself
 * when the name is that partner's.
 */
export function partnerFigures(rows: Pick<PeriodRows, 'partners' | 'invitations' | 'attendance'>, heldIds: Set<number>): PartnerFigures[] {
  const byKey = new Map(rows.partners.map((p) => [p.name_key, p.id]))
  const name = new Map(rows.partners.map((p) => [p.id, p.name]))
  const figures = new Map<string, PartnerFigures & { invitedAt: Set<number>; presentAt: Set<number> }>()
  const entry = (key: string, label: string, known: boolean) => {
    let f = figures.get(key)
    if (!f) figures.set(key, (f = { name: label, invited: 0, present: 0, onSite: 0, remote: 0, known, invitedAt: new Set(), presentAt: new Set() }))
    return f
  }
  for (const i of rows.invitations) {
    if (heldIds.has(i.session_id)) entry(`p${i.partner_id}`, name.get(i.partner_id) ?? '?', true).invitedAt.add(i.session_id)
  }
  const onSite = new Set<string>()
  const remote = new Set<string>()
  for (const a of rows.attendance) {
    if (!heldIds.has(a.session_id) || a.presence === 'absent') continue
    let key: string
    let f: PartnerFigures & { presentAt: Set<number> }
    const walkIn = a.organisation ? nameKey(a.organisation) : ''
    const partnerId = a.partner_id ?? (walkIn ? byKey.get(walkIn) ?? null : null)
    if (partnerId !== null) f = entry((key = `p${partnerId}`), name.get(partnerId) ?? '?', true)
    else if (walkIn) f = entry((key = `o${walkIn}`), a.organisation!.trim(), false)
    else continue // a holder or a person on their own: not an organisation
    f.presentAt.add(a.session_id)
    // Several people of one organisation at one session: the organisation was there once, on site if any was.
    ;(a.presence === 'on_site' ? onSite : remote).add(`${key} ${a.session_id}`)
  }
  for (const [key, f] of figures) {
    f.invited = f.invitedAt.size
    f.present = f.presentAt.size
    f.onSite = [...f.presentAt].filter((s) => onSite.has(`${key} ${s}`)).length
    f.remote = f.present - f.onSite
  }
  return [...figures.values()]
    .map(({ invitedAt: _i, presentAt: _p, ...f }) => f)
    .sort((a, b) => b.present - a.present || byFrench.compare(a.name, b.name))
}
