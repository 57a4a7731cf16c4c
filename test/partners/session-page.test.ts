import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { invitations, inviteAll, outbox, SESSION_PAGE, world, type World } from './helpers.js'

// The facilitator's "Partenaires invités" page: no form around the table, each "nouveau lien" a link to its own
// confirmation page, so a session with hundreds of invitations carries no CSRF field per person.

const attr = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1]
const unescape = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** Every form's opening tag and its position, checking on the way that no form sits inside another. */
function forms(html: string) {
  const found: Array<{ tag: string; start: number; end: number }> = []
  let open: { tag: string; start: number } | null = null
  for (const m of html.matchAll(/<form\b[^>]*>|<\/form>/g)) {
    if (m[0] === '</form>') {
      expect(open, 'a </form> without its <form>').not.toBeNull()
      found.push({ ...open!, end: m.index })
      open = null
    } else {
      expect(open, `a form inside another: ${m[0]}`).toBeNull()
      open = { tag: m[0], start: m.index }
    }
  }
  expect(open, 'a form left open').toBeNull()
  return found
}

/** What a browser posts when this button is pressed: its formaction, and the hidden fields of its form. */
function pressButton(html: string, ariaLabel: string) {
  const button = [...html.matchAll(/<button\b[^>]*>/g)].find((m) => unescape(attr(m[0], 'aria-label') ?? '') === ariaLabel)
  if (!button) throw new Error(`no button "${ariaLabel}"`)
  const form = forms(html).find((f) => f.start < button.index && button.index < f.end)
  if (!form) throw new Error(`button "${ariaLabel}" outside any form`)
  const fields: Record<string, string> = {}
  for (const m of html.slice(form.start, form.end).matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) fields[attr(m[0], 'name')!] = unescape(attr(m[0], 'value')!)
  return { action: unescape(attr(button[0], 'formaction') ?? attr(form.tag, 'action')!), method: attr(form.tag, 'method'), fields }
}

describe("the facilitator's table of who comes", () => {
  let w: World
  beforeEach(async () => {
    w = await world()
  })
  afterEach(() => w.t.close())

  it('the table carries no form: each "nouveau lien" is a link to its own confirmation page (#24)', async () => {
    await inviteAll(w)
    const html = (await w.admin.get(SESSION_PAGE)).body
    const table = html.slice(html.indexOf('<table class="attendance"'), html.indexOf('</table>'))
    expect(table).not.toContain('<form')
    expect(table).not.toContain('_csrf')
    const rows = await invitations(w.t.db)
    const links = [...table.matchAll(/<a\b[^>]*>nouveau lien<\/a>/g)].map((m) => m[0])
    expect(links).toHaveLength(rows.length)
    for (const row of rows) {
      const link = links.find((l) => unescape(attr(l, 'aria-label') ?? '') === `Envoyer un nouveau lien à ${row.name}…`)
      expect(link && attr(link, 'href')).toBe(`${SESSION_PAGE}/${row.id}/resend`)
    }
    // One CSRF field per form on the page: the logout button, "relancer".
    const all = forms(html)
    expect([...html.matchAll(/name="_csrf"/g)]).toHaveLength(all.length)
    expect(all.length).toBeLessThanOrEqual(4)
  })

  it('the confirmation page says who gets what; its button sends the new link', async () => {
    await inviteAll(w)
    const marc = (await invitations(w.t.db)).find((i) => i.email === 'marc.petit@caf.example.org')!
    const before = (await outbox(w.t.db)).length
    const ask = await w.admin.get(`${SESSION_PAGE}/${marc.id}/resend`)
    expect(ask.statusCode).toBe(200)
    expect(ask.body).toContain('data-confirm-to="marc.petit@caf.example.org"')
    expect(ask.body).toContain("L'ancien lien cessera aussitôt de fonctionner")
    // Opening the page sends nothing.
    expect(await outbox(w.t.db)).toHaveLength(before)
    const pressed = pressButton(ask.body.replace('<button type="submit">', '<button type="submit" aria-label="confirmer">'), 'confirmer')
    expect(pressed).toMatchObject({ action: `${SESSION_PAGE}/${marc.id}/resend`, method: 'post' })
    expect(pressed.fields.confirm).toBe('yes')
    const res = await w.admin.post(pressed.action, pressed.fields)
    expect(res.statusCode).toBe(303)
    expect(res.headers.location).toBe(`${SESSION_PAGE}?resent=${marc.id}`)
    const latest = (await outbox(w.t.db)).at(-1)!
    expect(latest.to_email).toBe('marc.petit@caf.example.org')
    expect((await invitations(w.t.db)).find((i) => i.id === marc.id)!.token_version).toBe(1)
  })

  it('keeps what each person said: answers, comments, delegations, reminders', async () => {
    await inviteAll(w)
    const rows = await invitations(w.t.db)
    const id = (email: string) => rows.find((r) => r.email === email)!.id
    const at = '2026-11-25T10:00:00.000Z'
    await w.t.db.updateTable('invitation').set({ answer: 'on_site', comment: 'Avec une collègue <b>' }).where('id', '=', id('helene.dupre@caf.example.org')).execute()
    await w.t.db.updateTable('invitation').set({ answer: 'delegate', delegate_name: 'Nina Roux' }).where('id', '=', id('marc.petit@caf.example.org')).execute()
    await w.t.db.updateTable('invitation').set({ delegated_from_id: id('marc.petit@caf.example.org'), reminded_at: at }).where('id', '=', id('lea.martin@pasdecalais.example.org')).execute()
    const html = (await w.admin.get(SESSION_PAGE)).body.replace(/>\s+</g, '><')
    expect(html).toContain('« Avec une collègue &lt;b&gt; »')
    expect(html).toContain('Marc Petit <span class="hint">(remplacé·e par Nina Roux)</span>')
    expect(html).toContain('Léa Martin <span class="hint">(à la place de Marc Petit)</span><br><span class="hint">relancé·e le 25/11/2026</span>')
    expect(html).toContain('<strong data-headcount="1">1 / 3</strong>')
    const row = (name: string) => html.slice(html.indexOf(`<th scope="row">${name}</th>`)).split('</tr>')[0]!
    expect(row('CAF du Pas-de-Calais').split('<td>').map((td) => td.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())).toEqual([
      'CAF du Pas-de-Calais', 'Hélène Dupré « Avec une collègue &lt;b&gt; » nouveau lien', '', 'Marc Petit (remplacé·e par Nina Roux) nouveau lien', '',
    ])
  })

  it('offers no new link, and so no form, once the session is cancelled or its links have expired', async () => {
    await inviteAll(w)
    await w.t.db.updateTable('session').set({ status: 'cancelled' }).where('id', '=', w.sessionId).execute()
    const cancelled = (await w.admin.get(SESSION_PAGE)).body
    expect(cancelled).toContain('Hélène Dupré')
    expect(cancelled).not.toContain('nouveau lien</button>')
    expect(cancelled).not.toContain('formaction=')
    expect(forms(cancelled)).toHaveLength(1) // the logout button

    await w.t.db.updateTable('session').set({ status: 'published' }).where('id', '=', w.sessionId).execute()
    w.t.clock.set('2027-02-01T00:00:00.000Z')
    await w.admin.login('camille@test.example.org')
    const expired = (await w.admin.get(SESSION_PAGE)).body
    expect(expired).toContain('Hélène Dupré')
    expect(expired).not.toContain('formaction=')
  })
})
