import type { SessionView } from '../../src/sessions/view.js'
import type { MailData } from '../../src/mail/compose.js'
import { linkRef, linkUrl } from '../../src/mail/links.js'
import { testConfig } from '../helpers/app.js'

/** Who the fixture's messages go to, and the links they carry (as references bound to that address). */
export const RECIPIENT = { name: 'Élodie Martin', email: 'elodie.martin@caf.example.org' }
const { sessionSecret, publicUrl } = testConfig('')
export const LINKS = { secret: sessionSecret, publicUrl, recipient: RECIPIENT.email }
const rsvp = { purpose: 'rsvp', id: 7, version: 0 } as const
const feed = { purpose: 'feed-contact', id: 3, version: 0 } as const
export const PERSONAL_REF = linkRef(sessionSecret, rsvp, RECIPIENT.email)
export const PERSONAL_URL = linkUrl(sessionSecret, publicUrl, rsvp)
export const FEED_URL = linkUrl(sessionSecret, publicUrl, feed)

/** A session as emails see it: in person by default. */
export function sessionView(overrides: Partial<SessionView> = {}): SessionView {
  return {
    id: 1,
    date: '2026-03-27',
    longDate: 'Vendredi 27 mars 2026',
    dateInSentence: 'vendredi 27 mars 2026',
    timeRange: '9 h – 12 h',
    start: '2026-03-27T09:00:00+01:00',
    end: '2026-03-27T12:00:00+01:00',
    startsAt: '2026-03-27T08:00:00.000Z',
    endsAt: '2026-03-27T11:00:00.000Z',
    communeName: 'Harnes',
    communeSlug: 'harnes',
    venueName: 'Salle Kraska',
    venueAddress: '12 rue des Fusillés, 62440 Harnes',
    venueAccessibility: 'Accès de plain-pied',
    venueCapacity: 40,
    placeLabel: 'Harnes — Salle Kraska',
    placeKnown: true,
    mode: 'in_person',
    modeLabel: 'Sur place',
    remote: false,
    videoUrl: null,
    status: 'published',
    held: false,
    statusLabel: 'Publiée',
    movedBecause: null,
    url: 'http://fabrik.test/lens-lievin/sessions/2026-03-27',
    icsUrl: 'http://fabrik.test/lens-lievin/sessions/2026-03-27.ics',
    uid: 'session-abc@fabrik.test',
    sequence: 0,
    updatedAt: '2026-03-01T10:00:00.000Z',
    ...overrides,
  }
}

export const remoteSession = (overrides: Partial<SessionView> = {}) => sessionView({
  mode: 'videoconference', modeLabel: 'En visioconférence', remote: true, placeLabel: 'Visioconférence',
  venueName: null, venueAddress: null, venueAccessibility: null, videoUrl: 'https://visio.example.org/fabrik-mars', ...overrides,
})

export function mailData(overrides: Partial<MailData> = {}): MailData {
  return {
    platformName: 'Fabrik Lens-Liévin',
    recipientName: 'Élodie Martin',
    session: sessionView(),
    personalUrl: PERSONAL_REF,
    feedUrl: linkRef(sessionSecret, feed, RECIPIENT.email),
    message: null,
    initiativeTitle: 'Jardin partagé des Hauts',
    slotTime: 'vers 9 h 40',
    changes: [],
    ...overrides,
  }
}
