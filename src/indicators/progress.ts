// An indicator beside its target, in words (the page must not say it by colour alone) and as a share.

export interface Progress {
  target: number
  achieved: number
  /** achieved − target: negative while short of it. */
  difference: number
  /** Rounded share of the target reached (0 when the target is 0 and nothing is due). */
  percent: number
  reached: boolean
  words: string
}

const n = new Intl.NumberFormat('fr-FR')

export function progressOf(achieved: number, target: number | undefined): Progress | null {
  if (target === undefined) return null
  const difference = achieved - target
  const percent = target === 0 ? 100 : Math.round((achieved / target) * 100)
  const reached = difference >= 0
  const words = !reached
    ? `${percent} % de l'objectif : il manque ${n.format(-difference)}.`
    : difference === 0 ? "Objectif atteint."
    : `Objectif dépassé de ${n.format(difference)} (${percent} %).`
  return { target, achieved, difference, percent, reached, words }
}
