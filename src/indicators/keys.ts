// The indicators a facilitator may set a target for: the report.json field names (CONTRACT.md), in the
// order the page, the CSV and the targets form show them, with the words the page uses.
export const INDICATOR_KEYS = [
  'sessionsHeld', 'sessionsCancelled', 'communesVisited', 'pitches', 'distinctHolders',
  'partnersPresent', 'advice', 'referrals', 'referralsSucceeded',
] as const

export type IndicatorKey = (typeof INDICATOR_KEYS)[number]

export const INDICATOR_LABELS: Record<IndicatorKey, string> = {
  sessionsHeld: 'Séances tenues',
  sessionsCancelled: 'Séances annulées',
  communesVisited: 'Communes ayant accueilli une séance',
  pitches: 'Initiatives présentées',
  distinctHolders: 'Porteurs et porteuses de projet accompagnés',
  partnersPresent: 'Organisations partenaires présentes',
  advice: 'Avis donnés',
  referrals: 'Orientations vers un partenaire',
  referralsSucceeded: 'Orientations abouties',
}

export function isIndicatorKey(s: string): s is IndicatorKey {
  return (INDICATOR_KEYS as readonly string[]).includes(s)
}

export type Targets = Partial<Record<IndicatorKey, number>>
