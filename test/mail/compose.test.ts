import { describe, expect, it } from 'vitest'
import { renderMail, tidyText } from '../../src/mail/compose.js'
import { MAIL_KINDS, KIND_LABELS, PRIVACY_MAIL_KINDS, isMailKind } from '../../src/mail/kinds.js'
import { createViews } from '../../src/web/views.js'
import { expandLinks } from '../../src/mail/links.js'
import { FEED_URL, LINKS, mailData, PERSONAL_REF, PERSONAL_URL, remoteSession, sessionView } from './fixtures.js'

const views = createViews()

describe('renderMail', () => {
  it.each(PRIVACY_MAIL_KINDS)('%s: listed on the Courriers page under a French label, not its key', (kind) => {
    expect(KIND_LABELS[kind]).toMatch(/^[A-ZÉ][a-zéèêàç ]/)
  })

  it.each(MAIL_KINDS)('%s: French subject, text and html repeating what matters', (kind) => {
    const mail = renderMail(views, kind, mailData())
    expect(KIND_LABELS[kind]).toBeTruthy()
    expect(mail.subject).toContain('vendredi 27 mars 2026')
    expect(mail.subject).toMatch(/Fabrik Lens-Liévin$/)
    for (const body of [mail.text, mail.html]) {
      expect(body).toContain('Élodie Martin')
      expect(body).toContain('27 mars 2026')
      expect(body).toContain('Votre lien personnel')
      expect(body).toContain('personnel')
    }
    // The stored message keeps references; the links are written in as it leaves.
    for (const [body, format] of [[mail.text, 'text'], [mail.html, 'html']] as const) {
      expect(body).toContain(PERSONAL_REF)
      expect(body).not.toContain('/rsvp/')
      expect(body).not.toContain('/feeds/')
      const sent = expandLinks(body, LINKS, format)
      expect(sent).toContain(PERSONAL_URL)
      expect(sent).toContain(FEED_URL)
      expect(sent).not.toContain('[[fabrik:')
    }
    expect(expandLinks(mail.html, LINKS, 'html')).toContain(`href="${PERSONAL_URL}"`)
    expect(mail.html).toMatch(/^<!doctype html>\s*<html lang="fr">/)
    expect(mail.html).not.toMatch(/<table/i)
    expect(mail.text).not.toMatch(/<[a-z]/i)
    expect(mail.text.endsWith('\n')).toBe(true)
    expect(mail.text).not.toMatch(/\n{3,}/)
  })

  it.each(MAIL_KINDS.filter((k) => !['pitch.declined', 'pitch.withdrawn', 'session.cancelled', 'session.uninvited'].includes(k)))(
    '%s: times, place, address and the session page', (kind) => {
      const mail = renderMail(views, kind, mailData())
      for (const body of [mail.text, mail.html]) {
        expect(body).toContain('9 h – 12 h')
        expect(body).toContain('Harnes — Salle Kraska')
        expect(body).toContain('12 rue des Fusillés, 62440 Harnes')
        expect(body).toContain('http://fabrik.test/lens-lievin/sessions/2026-03-27')
      }
    },
  )

  it('gives the videoconference link instead of a place when the session is remote', () => {
    const mail = renderMail(views, 'session.reminder', mailData({ session: remoteSession() }))
    expect(mail.text).toContain('Visioconférence : https://visio.example.org/fabrik-mars')
    expect(mail.text).not.toContain('Adresse :')
    expect(mail.html).toContain('href="https://visio.example.org/fabrik-mars"')
  })

  it('lists the changes of an update, and the cancellation says so', () => {
    const updated = renderMail(views, 'session.updated', mailData({
      changes: ['Nouvelle date : Vendredi 3 avril 2026.', 'La séance se tiendra en visioconférence : https://visio.example.org/x'],
    }))
    expect(updated.text).toContain('- Nouvelle date : Vendredi 3 avril 2026.')
    expect(updated.html).toContain('<li style="margin:0 0 4px;">La séance se tiendra en visioconférence : https://visio.example.org/x</li>')
    const cancelled = renderMail(views, 'session.cancelled', mailData())
    expect(cancelled.subject).toMatch(/^Annulation/)
    expect(cancelled.text).toContain('est annulée')
  })

  it('escapes HTML, keeps the text part literal and makes the subject one clean line', () => {
    const evil = 'Eve\r\nBcc: x@evil.example <script>alert(1)</script> & "co"'
    const mail = renderMail(views, 'pitch.confirmed', mailData({
      recipientName: evil,
      platformName: 'Plate\u0007forme\nBcc: y@evil.example',
      initiativeTitle: '<img src=x onerror=alert(1)>',
      message: 'Ligne 1\r\n<b>gras</b>\u0000',
    }))
    expect([...mail.subject].some((c) => c.charCodeAt(0) < 32)).toBe(false)
    expect(mail.html).not.toContain('<script>')
    expect(mail.html).not.toContain('<img src=x')
    expect(mail.html).not.toContain('<b>gras')
    expect(mail.html).toContain('Eve Bcc: x@evil.example &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;')
    expect(mail.html).toContain('Ligne 1<br>&lt;b&gt;gras&lt;/b&gt;')
    // text/plain is not HTML: nothing is entity-encoded, and the name stays on one line.
    expect(mail.text).toContain('Bonjour Eve Bcc: x@evil.example <script>alert(1)</script> & "co",')
    expect(mail.text).toContain('« <img src=x onerror=alert(1)> »')
    expect(mail.text).not.toContain('&amp;')
    expect(mail.text).not.toContain('\u0000')
  })

  it('drops a personal link handed in as a URL: the outbox would keep it in clear', () => {
    const mail = renderMail(views, 'session.invitation', mailData({ personalUrl: PERSONAL_URL, feedUrl: FEED_URL }))
    for (const body of [mail.text, mail.html]) {
      expect(body).not.toContain('/rsvp/')
      expect(body).not.toContain('/feeds/')
      expect(body).not.toContain('Votre lien personnel')
    }
  })

  it('never turns a non-http link into an href', () => {
    const mail = renderMail(views, 'session.invitation', mailData({
      personalUrl: 'javascript:alert(1)',
      session: remoteSession({ videoUrl: 'javascript:alert(2)' }),
    }))
    expect(mail.html).not.toContain('javascript:')
    expect(mail.text).not.toContain('javascript:')
    expect(mail.text).toContain('le lien vous sera envoyé avant la séance')
  })

  it('falls back gracefully without the optional parts', () => {
    const mail = renderMail(views, 'pitch.received', mailData({ personalUrl: null, feedUrl: null, initiativeTitle: null, slotTime: null }))
    expect(mail.text).toContain('présenter votre projet')
    expect(mail.text).not.toContain('Votre lien personnel')
    expect(mail.text).not.toContain('null')
    expect(mail.html).not.toContain('null')
  })

  it('says when the place is still to be decided, and offers remote attendance only for hybrid sessions', () => {
    const tbd = renderMail(views, 'session.invitation', mailData({ session: sessionView({ placeLabel: 'Lieu à déterminer', placeKnown: false, communeName: null, venueName: null, venueAddress: null, venueAccessibility: null }) }))
    expect(tbd.text).toContain('Lieu : à déterminer')
    expect(tbd.text).not.toContain('à distance')
    const hybrid = renderMail(views, 'session.invitation', mailData({ session: sessionView({ mode: 'hybrid', remote: true, videoUrl: 'https://visio.example.org/h' }) }))
    expect(hybrid.text).toContain('si vous serez là, sur place ou à distance ?')
    expect(hybrid.text).toContain('Lieu : Harnes — Salle Kraska')
    expect(hybrid.text).toContain('Visioconférence : https://visio.example.org/h')
  })

  it('shows the contact address when given', () => {
    const mail = renderMail(views, 'pitch.waiting', mailData({ contactEmail: 'animation@fabrik.example.org' }))
    expect(mail.text).toContain('écrivez-nous à animation@fabrik.example.org')
    expect(mail.html).toContain('href="mailto:animation@fabrik.example.org"')
  })
})

describe('kinds', () => {
  it('has the stable keys', () => {
    expect(MAIL_KINDS).toEqual([
      'session.invitation', 'session.updated', 'session.cancelled', 'session.reminder', 'session.uninvited', 'pitch.received',
      'pitch.confirmed', 'pitch.waiting', 'pitch.promoted', 'pitch.declined', 'pitch.moved', 'pitch.withdrawn',
      'pitch.slot', 'pitch.verify', 'pitch.link', 'pitch.revisit', 'session.invitation-reminder', 'referral.made',
      'referral.reminder', 'referral.updated', 'session.minutes', 'pitch.minutes', 'session.delegated',
    ])
    expect(isMailKind('pitch.moved')).toBe(true)
    expect(isMailKind('pitch.nope')).toBe(false)
  })
})

describe('tidyText', () => {
  it('drops trailing spaces and extra blank lines', () => {
    expect(tidyText('a  \r\n\n\n\nb\n\n')).toBe('a\n\nb\n')
  })
})
