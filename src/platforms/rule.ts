import { formatTimeRange } from '../calendar/zoned.js'

// A platform's usual rule, as the creation form asks for it ("le deuxième mardi du mois") and as people
// read it back. Anything else the planner accepts is typed as an RFC 5545 rule and shown as such.

export const RULE_WEEKS = ['1', '2', '3', '4', '-1'] as const
export const RULE_DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const
export type RuleWeek = (typeof RULE_WEEKS)[number]
export type RuleDay = (typeof RULE_DAYS)[number]

export const WEEK_LABELS: Record<RuleWeek, string> = { '1': 'premier', '2': 'deuxième', '3': 'troisième', '4': 'quatrième', '-1': 'dernier' }
export const DAY_LABELS: Record<RuleDay, string> = { MO: 'lundi', TU: 'mardi', WE: 'mercredi', TH: 'jeudi', FR: 'vendredi', SA: 'samedi', SU: 'dimanche' }

export function monthlyRule(week: RuleWeek, day: RuleDay): string {
  return `FREQ=MONTHLY;BYDAY=${day};BYSETPOS=${week}`
}

/** The week and day of a rule written as monthlyRule writes it (in any key order or case); null otherwise. */
export function monthlyParts(rrule: string): { week: RuleWeek; day: RuleDay } | null {
  const parts = new Map(rrule.trim().toUpperCase().replace(/^RRULE:/, '').split(';').filter(Boolean).map((p) => p.split('=') as [string, string]))
  if (parts.size !== 3 || parts.get('FREQ') !== 'MONTHLY') return null
  const day = parts.get('BYDAY') as RuleDay | undefined
  const week = parts.get('BYSETPOS') as RuleWeek | undefined
  return day && week && RULE_DAYS.includes(day) && RULE_WEEKS.includes(week) ? { week, day } : null
}

/** "le deuxième mardi du mois, 14 h – 16 h 30"; the rule itself when it is not a monthly one. */
export function describeRule(rrule: string, start: string, end: string): string {
  const parts = monthlyParts(rrule)
  const when = parts ? `le ${WEEK_LABELS[parts.week]} ${DAY_LABELS[parts.day]} du mois` : `selon la règle ${rrule}`
  return `${when}, ${formatTimeRange(start, end)}`
}
