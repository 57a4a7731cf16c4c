import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { bookPitch } from '../../src/pitches/booking.js'
import { ATTENDANCE, DOMAINS, HOLDER_KINDS, NEEDS, STAGES } from '../../src/pitches/forms.js'
import { Client } from '../helpers/app.js'
import { DATE, inviteAll, outbox, world, type World } from '../partners/helpers.js'

// No stored key shown as text (#24 §3): the partner page, the holder page, the public session page, the main
// mails and the feeds, rendered with every value of every enum (domain, stage, needs, holder kind, attendance,
// session mode), must read French words — never "economie_solidaire", "in_person", "videoconference"…
// (test/partners/words.test.ts checks the word functions themselves.) Nor a space before a comma.

/**
 * The keys that are not French words (a key such as "local" or "association" is also a word, and reads the
 * same as its label in a sentence): matched case-sensitively as whole words, in the visible text only.
 */
const RAW_KEYS = [
  'economie_solidaire', 'culturel', 'sportif', 'environnement', 'social', 'benevoles', 'methode', 'idee', 'en_cours',
  'resident', 'group', 'other', 'on_site', 'remote', 'declined', 'delegate', 'tentative', 'in_person', 'videoconference', 'hybrid',
  'published', 'cancelled', 'draft', 'pending', 'confirmed', 'waiting', 'withdrawn', 'public_body', 'local_authority',
]
const KEY = new RegExp(`(?<![\\w/.@-])(${RAW_KEYS.join('|')})(?![\\w/@-]|\\.\\w)`, 'g')
/** "local,benevoles": a list of keys joined as stored. */
const JOINED = new RegExp(`\\b(${Object.keys(NEEDS).join('|')}),(${Object.keys(NEEDS).join('|')})\\b`)

/** What a reader sees of a page: no tags, no attributes, no scripts or styles, entities decoded, spaces collapsed. */
function visibleText(html: string): string {
  // Block elements break the line; inline ones (a, strong, span…) join their text to what follows, as a browser does.
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<\/?(p|div|li|ul|ol|dl|dt|dd|tr|td|th|table|caption|thead|tbody|tfoot|h[1-6]|br|hr|section|header|footer|main|nav|form|fieldset|legend|option|select|textarea|button|label|input|details|summary|title|head|body|html)\b[^>]*>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
}

/** The text lines of an iCalendar object people read (SUMMARY, LOCATION, DESCRIPTION), unfolded. */
function calendarText(ics: string): string {
  return ics.replace(/\r\n[ \t]/g, '').split(/\r\n/).filter((l) => /^(SUMMARY|LOCATION|DESCRIPTION)[;:]/.test(l)).join('\n').replace(/\\n/g, ' ')
}

function problems(where: string, text: string): string[] {
  const found = [...text.matchAll(KEY)].map((m) => `${where}: raw key "${m[1]}" in «…${text.slice(Math.max(0, m.index - 40), m.index + 40)}…»`)
  const joined = JOINED.exec(text)
  if (joined) found.push(`${where}: joined keys "${joined[0]}"`)
  const comma = / ,/.exec(text)
  if (comma) found.push(`${where}: a space before a comma in «…${text.slice(Math.max(0, comma.index - 40), comma.index + 20)}…»`)
  return found
}

describe('no stored key shown as text', () => {
  let w: World
  beforeEach(async () => {
    w = await world({ capacity: 20 })
  })
  afterEach(() => w.t.close())

  it('on the partner, holder and public pages, in the mails and the feeds, with every enum value', async () => {
    const ctx = w.t.app.ctx
    const domains = Object.keys(DOMAINS) as (keyof typeof DOMAINS)[]
    const stages = [...Object.keys(STAGES), null] as (keyof typeof STAGES | null)[]
    const kinds = Object.keys(HOLDER_KINDS) as (keyof typeof HOLDER_KINDS)[]
    const attendance = Object.keys(ATTENDANCE) as (keyof typeof ATTENDANCE)[]
    // Room for every pitch on the agenda's slots: each one shows.
    await w.t.db.updateTable('session').set({ pitch_slots: domains.length }).where('id', '=', w.sessionId).execute()
    const tokens: string[] = []
    for (const [i, domain] of domains.entries()) {
      const booked = await bookPitch(ctx, w.platform, w.sessionId, {
        holder: { name: `Porteur ${i}`, email: `porteur${i}@example.org`, phone: null, kind: kinds[i % kinds.length]!, commune_id: null },
        initiative: { title: `Initiative ${i}`, summary: 'Un projet du quartier.', domain, needs: Object.keys(NEEDS).slice(0, 1 + (i % 6)), stage: stages[i % stages.length]!, commune_id: null },
        attendance: attendance[i % attendance.length]!, publicTitle: true,
      }, () => true)
      tokens.push(booked.token)
    }
    const links = await inviteAll(w)
    const helene = links.get('helene.dupre@caf.example.org')!
    expect((await new Client(w.t.app).submit(links.get('marc.petit@caf.example.org')!, { answer: 'on_site', comment: '' })).statusCode).toBe(303)
    expect((await new Client(w.t.app).submit(links.get('lea.martin@pasdecalais.example.org')!, { answer: 'delegate', comment: '', delegate_name: 'Paul Roux', delegate_email: 'paul.roux@pasdecalais.example.org' })).statusCode).toBe(303)

    const found: string[] = []
    const anon = new Client(w.t.app)
    const pages = async (mode: string) => {
      const urls = [helene, links.get('marc.petit@caf.example.org')!, ...tokens.map((t) => `/pitch/${t}`), `/test/sessions/${DATE}`, '/test', `/test/sessions/${DATE}/pitch`]
      for (const url of urls) {
        const res = await anon.get(url)
        expect(res.statusCode, url).toBe(200)
        found.push(...problems(`${mode} ${url}`, visibleText(res.body)))
        // "18 décembre 2026 , 9 h": a text extractor (a mail client's text view, a copy-paste) reads a space
        // where an inline element ends right before the comma.
        const glued = /<\/(a|strong|em|span)>,/.exec(res.body)
        if (glued) found.push(`${mode} ${url}: a comma right after </${glued[1]}> in «…${res.body.slice(Math.max(0, glued.index - 60), glued.index + 20)}…»`)
        // The partner's page shows every pitch's domain, in words: the check above saw them all.
        if (url === helene) for (const label of Object.values(DOMAINS)) expect(visibleText(res.body)).toContain(label)
      }
      for (const url of ['/test/calendar.ics', `/test/sessions/${DATE}.ics`]) found.push(...problems(`${mode} ${url}`, calendarText((await anon.get(url)).body)))
      const json = JSON.parse((await anon.get('/test/sessions.json')).body) as Array<{ mode: string }>
      expect(json[0]!.mode).toBe(mode) // the contract keeps the key in the JSON, where it belongs
    }
    await pages('in_person')
    const session = `/admin/p/test/sessions/${DATE}`
    await w.t.db.updateTable('session').set({ mode: 'hybrid', video_url: 'https://visio.example.org/salle' }).where('id', '=', w.sessionId).execute()
    await pages('hybrid')
    expect((await w.admin.submit(session, { video_url: 'https://visio.example.org/salle' }, `${session}/visio`)).statusCode).toBe(303)
    await pages('videoconference')

    const mails = await outbox(w.t.db)
    for (const kind of ['session.invitation', 'session.updated', 'pitch.confirmed', 'pitch.received']) {
      const some = mails.filter((m) => m.kind === kind)
      if (kind !== 'pitch.received') expect(some.length, kind).toBeGreaterThan(0)
      for (const m of some) {
        found.push(...problems(`${kind} text to ${m.to_email}`, m.text_body.replace(/\s+/g, ' ')))
        found.push(...problems(`${kind} html to ${m.to_email}`, visibleText(m.html_body)))
        if (m.ical) found.push(...problems(`${kind} ics to ${m.to_email}`, calendarText(m.ical)))
      }
    }
    expect(found).toEqual([])
  })
})
