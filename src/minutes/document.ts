import { stripInvisible } from '../text-safety.js'

// The minutes of a session (pure): the document built from the record and the facilitator's texts, and what
// each reader may see of it. The document is what a sent version stores (JSON); the readers' views are
// derived from it, the same way for the email, the preview, the print view and the personal pages.
// - partners (every contact invited): the whole minutes; a holder who did not agree to be named to partners
//   (holder.shares_contact = 0) appears under the initiative's title only.
// - a holder: the session, the organisations present and their own pitch, nothing of another pitch.

export interface MinutesSessionFacts {
  date: string
  longDate: string
  timeRange: string
  /** "Harnes — Salle X", "Lieu à déterminer" or "Visioconférence" (sessions/view.ts placeLabel). */
  placeLabel: string
  modeLabel: string
}

export interface MinutesAdvice { author: string; body: string }
export interface MinutesReferral { organisation: string; subject: string }

export interface MinutesPitch {
  pitchId: number
  holderId: number
  title: string
  holderName: string
  /** The holder agreed that partners know who they are (holder.shares_contact). */
  named: boolean
  text: string | null
  advice: MinutesAdvice[]
  referrals: MinutesReferral[]
  nextSteps: string | null
}

export interface MinutesOrganisation { organisation: string | null; people: string[] }

export interface MinutesDocument {
  platformName: string
  session: MinutesSessionFacts
  intro: string | null
  /** Partner people present, by organisation (holders are told under their pitch, never in this list). */
  attendance: MinutesOrganisation[]
  pitches: MinutesPitch[]
}

export interface MinutesPresent { name: string; organisation: string | null; remote: boolean }

export interface MinutesInput {
  platformName: string
  session: MinutesSessionFacts
  intro: string | null
  present: MinutesPresent[]
  pitches: MinutesPitch[]
}

/** Free text as the minutes keep it: no control characters, trimmed, null when empty. */
export function cleanText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  const clean = stripInvisible(value).replace(/\r\n?/g, '\n').trim()
  return clean === '' ? null : clean
}

const collator = new Intl.Collator('fr', { sensitivity: 'base' })

/** The people present grouped by organisation (alphabetical), those without one last. */
export function groupAttendance(present: MinutesPresent[]): MinutesOrganisation[] {
  const groups = new Map<string, MinutesOrganisation>()
  for (const p of present) {
    const key = p.organisation === null ? '' : p.organisation.toLocaleLowerCase('fr')
    const group = groups.get(key) ?? { organisation: p.organisation, people: [] }
    const label = p.remote ? `${p.name} (à distance)` : p.name
    if (!group.people.includes(label)) group.people.push(label)
    groups.set(key, group)
  }
  for (const g of groups.values()) g.people.sort(collator.compare)
  return [...groups.values()].sort((a, b) => (a.organisation === null ? 1 : b.organisation === null ? -1 : collator.compare(a.organisation, b.organisation)))
}

export function buildMinutes(input: MinutesInput): MinutesDocument {
  return {
    platformName: input.platformName,
    session: input.session,
    intro: cleanText(input.intro),
    attendance: groupAttendance(input.present),
    pitches: input.pitches.map((p) => ({
      ...p, text: cleanText(p.text), nextSteps: cleanText(p.nextSteps),
      advice: p.advice.map((a) => ({ author: a.author, body: cleanText(a.body) ?? '' })).filter((a) => a.body !== ''),
    })),
  }
}

/** A pitch as a reader sees it: the holder's name only when they may be named to this reader. */
export interface ReaderPitch extends Omit<MinutesPitch, 'holderName' | 'named' | 'holderId' | 'pitchId'> { holderName: string | null }

export interface MinutesView {
  audience: 'partners' | 'holder'
  platformName: string
  session: MinutesSessionFacts
  intro: string | null
  attendance: MinutesOrganisation[]
  pitches: ReaderPitch[]
}

function readerPitch(p: MinutesPitch, showName: boolean): ReaderPitch {
  return { title: p.title, holderName: showName ? p.holderName : null, text: p.text, advice: p.advice, referrals: p.referrals, nextSteps: p.nextSteps }
}

export const NAME_WITHHELD = 'la personne porteuse du projet'

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * The words that name a holder in free text: the whole name, and each capitalised part of four letters or more
 * ("Yasmina", "Haddouche"), matched as written (a sentence's "le collectif" is not "Collectif Les Mamans").
 */
export function nameWords(name: string): RegExp[] {
  const whole = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(name.trim())}(?![\\p{L}\\p{N}])`, 'giu')
  const parts = name.split(/[\s'’-]+/).filter((w) => w.length >= 4 && /^\p{Lu}/u.test(w))
  return [whole, ...parts.map((w) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(w)}(?![\\p{L}\\p{N}])`, 'gu'))]
}

/** The text without the names given (a holder who did not agree to be named to partners). */
export function withholdNames<T extends string | null>(text: T, names: string[]): T {
  if (text === null || names.length === 0) return text
  let out: string = text
  // At the start of a sentence, with its capital.
  const by = (_m: string, offset: number, whole: string) => (offset === 0 || /[.!?\n]\s*$/.test(whole.slice(0, offset)) ? `L${NAME_WITHHELD.slice(1)}` : NAME_WITHHELD)
  for (const name of names) for (const re of nameWords(name)) out = out.replace(re, by)
  return out as T
}

/**
 * The whole minutes, as every invited partner contact receives them. A holder who did not agree to be named is
 * neither named beside their pitch nor in any free text of the minutes (the facilitator's summary often starts
 * with a first name).
 */
export function partnersView(doc: MinutesDocument): MinutesView {
  const hidden = doc.pitches.filter((p) => !p.named).map((p) => p.holderName)
  const clean = <T extends string | null>(t: T) => withholdNames(t, hidden)
  return {
    audience: 'partners', platformName: doc.platformName, session: doc.session, intro: clean(doc.intro), attendance: doc.attendance,
    pitches: doc.pitches.map((p) => {
      const r = readerPitch(p, p.named)
      return {
        ...r, text: clean(r.text), nextSteps: clean(r.nextSteps),
        advice: r.advice.map((a) => ({ author: a.author, body: clean(a.body) })),
        referrals: r.referrals.map((x) => ({ organisation: x.organisation, subject: clean(x.subject) })),
      }
    }),
  }
}

/**
 * One holder's part: their own pitch, and the organisations present without the people's names. The
 * introduction is written for the whole session (it may speak of other pitches), so it is not in it.
 * Null when the pitch is not in these minutes.
 */
export function holderView(doc: MinutesDocument, pitchId: number): MinutesView | null {
  const mine = doc.pitches.find((p) => p.pitchId === pitchId)
  if (!mine) return null
  return {
    audience: 'holder', platformName: doc.platformName, session: doc.session, intro: null,
    attendance: doc.attendance.filter((g) => g.organisation !== null).map((g) => ({ organisation: g.organisation, people: [] })),
    pitches: [readerPitch(mine, true)],
  }
}

/** The document as stored in minutes_version.document. */
export function serialise(doc: MinutesDocument): string {
  return JSON.stringify(doc)
}

export function parseDocument(text: string): MinutesDocument {
  return JSON.parse(text) as MinutesDocument
}
