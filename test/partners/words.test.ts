import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { answerChoices, answerLabel, answerModeProblem, attendanceTable, type AttendanceEntry } from '../../src/partners/answers.js'
import { domainText, needsText } from '../../src/partners/pitch-words.js'
import { Client, csrfToken } from '../helpers/app.js'
import { confirmedPitch, DATE, invitations, inviteAll, SESSION_PAGE, world, type World } from './helpers.js'

// Issue #24 §3: partners read French words, and a session switched to videoconference has nobody on site.

describe("a pitch in the partner's words", () => {
  it('writes the domain and the needs with the booking form\'s labels', () => {
    expect(domainText('economie_solidaire')).toBe('Économie solidaire')
    expect(domainText('environnement')).toBe('Environnement')
    expect(domainText(null)).toBeNull()
    expect(needsText('local,benevoles,financement')).toBe('un local, des bénévoles, un financement')
    expect(needsText('')).toBe('')
    // Older free text, and keys the form does not know, stay as typed (never an Object.prototype name).
    expect(needsText('local, une salle,constructor')).toBe('un local, une salle, constructor')
    expect(domainText('toString')).toBe('toString')
  })
})

describe('a session held by videoconference', () => {
  const entry = (id: number, answer: AttendanceEntry['answer']): AttendanceEntry => ({
    invitationId: id, partnerId: 1, partnerName: 'CAF', contactName: `P${id}`, answer, comment: null, delegateName: null, delegatedBy: null, remindedAt: null,
  })

  it('counts "sur place" answers as remote, with no room and so no capacity warning', () => {
    const entries = [entry(1, 'on_site'), entry(2, 'on_site'), entry(3, 'remote')]
    expect(attendanceTable(entries, 1, 'in_person')).toMatchObject({ headcount: 2, capacity: 1, overCapacity: true, totals: { onSite: 2, remote: 1 } })
    expect(attendanceTable(entries, 1, 'hybrid')).toMatchObject({ headcount: 2, overCapacity: true })
    expect(attendanceTable(entries, 1, 'videoconference')).toMatchObject({ headcount: 0, capacity: null, overCapacity: false, totals: { onSite: 0, remote: 3 } })
  })

  it('reads, offers and takes answers accordingly', () => {
    expect(answerLabel('on_site', 'videoconference')).toBe('Participe à distance (la séance se tient en visioconférence)')
    expect(answerLabel('on_site', 'hybrid')).toBe('Vient sur place')
    expect(Object.keys(answerChoices('videoconference'))).toEqual(['remote', 'declined', 'delegate'])
    expect(Object.keys(answerChoices('in_person'))).toEqual(['on_site', 'remote', 'declined', 'delegate'])
    expect(answerModeProblem('on_site', 'videoconference')).toContain('visioconférence')
    expect(answerModeProblem('remote', 'videoconference')).toBeNull()
    expect(answerModeProblem('on_site', 'in_person')).toBeNull()
  })
})

describe('the pages once the session switches to videoconference', () => {
  let w: World
  let links: Map<string, string>
  beforeEach(async () => {
    w = await world({ capacity: 1 })
    links = await inviteAll(w)
  })
  afterEach(() => w.t.close())

  it('show "sur place" answers as remote, drop the capacity warning, and no longer offer "sur place"', async () => {
    await confirmedPitch(w.t.db, w.platform, w.sessionId, 1)
    const helene = new Client(w.t.app)
    for (const email of ['helene.dupre@caf.example.org', 'marc.petit@caf.example.org']) {
      expect((await new Client(w.t.app).submit(links.get(email)!, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    }
    const before = (await w.admin.get(SESSION_PAGE)).body
    expect(before).toContain('data-headcount="2"')
    expect(before).toContain('Attention : 2 personnes annoncées sur place pour 1 place')

    const visio = await w.admin.submit(`/admin/p/test/sessions/${DATE}`, { video_url: 'https://visio.example.org/salle-42' }, `/admin/p/test/sessions/${DATE}/visio`)
    expect(visio.statusCode).toBe(303)
    const after = (await w.admin.get(SESSION_PAGE)).body
    expect(after).toContain('data-headcount="0"')
    expect(after).not.toContain('Attention :')
    expect(after).toContain('à distance : 2')
    expect(after).toContain('(avait répondu sur place)')

    const page = await helene.get(links.get('helene.dupre@caf.example.org')!)
    expect(page.body).toContain('data-answer="on_site"')
    expect(page.body).toContain('Participe à distance (la séance se tient en visioconférence)')
    expect(page.body).toContain('Marc Petit : Participe à distance')
    expect(page.body).not.toContain('value="on_site"')
    const refused = await helene.post(links.get('helene.dupre@caf.example.org')!, { answer: 'on_site', comment: 'Je viendrai', _csrf: csrfToken(page.body) })
    expect(refused.statusCode).toBe(400)
    expect(refused.body).toContain('La séance se tient en visioconférence : choisissez « Je participe à distance ».')
    expect(refused.body).toContain('Je viendrai')
    expect((await invitations(w.t.db)).find((i) => i.email === 'helene.dupre@caf.example.org')!.comment).toBeNull()
  })
})
