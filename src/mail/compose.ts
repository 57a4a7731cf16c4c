import type { Eta } from 'eta'
import { singleLine, stripControl } from '../calendar/sanitise.js'
import type { SessionView } from '../sessions/view.js'
import type { MinutesView } from '../minutes/document.js'
import { inSentence } from '../calendar/zoned.js'
import type { MailKind } from './kinds.js'
import { mailSubject } from './subjects.js'
import { isLinkRef } from './links.js'

// Renders one message of a kind: subject, text/plain and text/html, from the same data. Rendering happens
// at enqueue time, so the outbox keeps what was sent — except the personal links, which it keeps as
// references (links.ts) written out when the message leaves.

export interface MailData {
  platformName: string
  recipientName: string
  session: SessionView
  /** The recipient's own link (/pitch/{token}, /rsvp/{token}), as a reference from linkRef (links.ts). */
  personalUrl: string | null
  /** The recipient's personal calendar feed (/feeds/{token}.ics), as a reference from linkRef. */
  feedUrl?: string | null
  /** A word from the facilitator, shown as written (line breaks kept). */
  message?: string | null
  initiativeTitle?: string | null
  /** The pitch's expected time, e.g. "vers 9 h 40". */
  slotTime?: string | null
  /** A pitch's length from the session's agenda, questions included (pitch.confirmed, pitch.promoted). */
  pitchMinutes?: number | null
  /** A message for someone without an address, sent to the platform's mailbox: its first line, whom to pass it on to. */
  forwardNote?: string | null
  /** French lines describing what changed: "Nouvelle date : …". */
  changes?: string[]
  /** Whom to write to with a question (the platform's contact address). */
  contactEmail?: string | null
  /** The recipient's answer to the invitation ('on_site', 'remote'…), for a line of their own (session.updated). */
  answer?: string | null
  /** The platform's privacy notice (/{platform}/confidentialite), in every footer; by default from session.url. */
  privacyUrl?: string | null
  /** A referral's mails (referral.*): the organisation referred to, what about, its status and latest note. */
  referral?: {
    organisation: string
    subject: string
    statusLabel?: string | null
    note?: string | null
    followUpOn?: string | null
    /** The holder's details, only when the holder agreed to share them with the partner. */
    holder?: { name: string, email: string | null, phone: string | null } | null
  } | null
  /** The minutes' mails (session.minutes, pitch.minutes): what this reader may see of them, and which version. */
  minutes?: (MinutesView & { version: number; corrected: boolean }) | null
}

export interface RenderedMail {
  subject: string
  text: string
  html: string
}

const MAX_SUBJECT = 200

/** A header value: one line, no control characters (the subject is user-influenced through names). */
export function headerSafe(value: string, max = MAX_SUBJECT): string {
  const line = singleLine(value)
  return line.length > max ? `${line.slice(0, max - 1)}…` : line
}

/** Links are only ever http(s): a stored `javascript:` must never become an href. */
function httpUrl(url: string | null | undefined): string | null {
  if (!url) return null
  const clean = singleLine(url)
  return /^https?:\/\/[^\s"<>]+$/i.test(clean) ? clean : null
}

/**
 * Personal links only as references: a working URL handed in here would be stored in clear in the outbox,
 * so it is dropped (the message then lacks its link, which every test of that mail notices).
 */
function linkReference(value: string | null | undefined): string | null {
  return value && isLinkRef(value) ? value : null
}

function oneLine(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  const clean = singleLine(value)
  return clean === '' ? null : clean
}

/**
 * The data as templates see it: one-line fields on one line, free text without control characters, links
 * checked. Templates still escape everything in HTML; this keeps the text part honest too.
 */
export function cleanData(data: MailData): MailData {
  const s = data.session
  return {
    ...data,
    platformName: singleLine(data.platformName),
    recipientName: singleLine(data.recipientName),
    session: {
      ...s,
      placeLabel: s.placeKnown ? singleLine(s.placeLabel) : 'à déterminer',
      venueName: oneLine(s.venueName),
      venueAddress: oneLine(s.venueAddress),
      venueAccessibility: oneLine(s.venueAccessibility),
      movedBecause: oneLine(s.movedBecause),
      videoUrl: httpUrl(s.videoUrl),
      url: httpUrl(s.url) ?? '',
    },
    personalUrl: linkReference(data.personalUrl),
    feedUrl: linkReference(data.feedUrl),
    message: data.message ? stripControl(data.message).trim() || null : null,
    initiativeTitle: oneLine(data.initiativeTitle),
    slotTime: oneLine(data.slotTime),
    forwardNote: oneLine(data.forwardNote),
    changes: (data.changes ?? []).map(singleLine).filter((l) => l !== ''),
    contactEmail: oneLine(data.contactEmail),
    privacyUrl: httpUrl(data.privacyUrl) ?? privacyUrlOf(httpUrl(s.url)),
  }
}

/** The notice's URL beside a session page's: {base}/{platform}/sessions/{date} → {base}/{platform}/confidentialite. */
export function privacyUrlOf(sessionUrl: string | null): string | null {
  const m = sessionUrl ? /^(https?:\/\/[^\s"<>]+)\/sessions\/[^/]+$/i.exec(sessionUrl) : null
  return m ? `${m[1]}/confidentialite` : null
}

/** Plain text tidy-up: no trailing spaces, at most one blank line in a row, one final newline. */
export function tidyText(text: string): string {
  return `${text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`
}

export function renderMail(views: Eta, kind: MailKind, data: MailData): RenderedMail {
  const clean = cleanData(data)
  const subject = headerSafe(mailSubject(kind, clean))
  // `day` is the date inside a sentence: "la séance du vendredi 27 mars 2026".
  const it = { ...clean, kind, subject, day: inSentence(clean.session.longDate) }
  return {
    subject,
    text: tidyText(`${clean.forwardNote ? `${clean.forwardNote}\n\n` : ''}${views.render(`mail/${kind}.txt.eta`, it)}`),
    html: views.render(`mail/${kind}.html.eta`, it),
  }
}
