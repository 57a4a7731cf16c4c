import { afterEach, describe, expect, it } from 'vitest'
import { pageOf, REFERRALS_PER_PAGE } from '../../src/referrals/present.js'
import { aReferral, world, type World } from './helpers.js'

// Orientations lists a page of 50 at a time (#26: a national platform holds hundreds of open referrals):
// overdue ones first over the whole list, the filters kept from page to page.

let w: World | null = null
afterEach(async () => {
  await w?.t.close()
  w = null
})

const rowsOf = (body: string) => [...body.matchAll(/<tr data-referral="(\d+)"( data-overdue="1")?>/g)].map((m) => ({ id: Number(m[1]), overdue: Boolean(m[2]) }))

describe('Orientations, page by page', () => {
  it('cuts a sorted list into pages, the last one shown for a page past the end', () => {
    const list = Array.from({ length: 120 }, (_, i) => i)
    expect(pageOf(list, 1)).toMatchObject({ page: 1, pages: 3, first: 1, rows: list.slice(0, 50) })
    expect(pageOf(list, 3)).toMatchObject({ page: 3, pages: 3, first: 101, rows: list.slice(100) })
    expect(pageOf(list, 9).page).toBe(3)
    expect(pageOf([], 1)).toMatchObject({ page: 1, pages: 1, rows: [] })
  })

  it('shows 50 referrals, overdue first, and links the next ones with the filters kept', async () => {
    w = await world()
    // The clock is on 2026-11-23: a follow-up on 2026-11-21 is overdue when nothing was said since the 10th.
    const overdue = []
    for (let i = 0; i < 3; i++) overdue.push((await aReferral(w, { followUpOn: '2026-11-21', subject: `En retard ${i}` })).id)
    await w.t.db.updateTable('referral').set({ updated_at: '2026-11-10T09:00:00.000Z' }).where('id', 'in', overdue).execute()
    for (let i = 0; i < REFERRALS_PER_PAGE + 2; i++) await aReferral(w, { followUpOn: '2027-01-15', subject: `Plus tard ${i}` })
    const total = 3 + REFERRALS_PER_PAGE + 2

    const first = await w.admin.get('/admin/p/test/referrals')
    expect(first.statusCode).toBe(200)
    const rows = rowsOf(first.body)
    expect(rows).toHaveLength(REFERRALS_PER_PAGE)
    expect(rows.slice(0, 3).map((r) => r.id)).toEqual(overdue)
    expect(rows.slice(0, 3).every((r) => r.overdue)).toBe(true)
    expect(first.body).toContain(`Orientations (${total})`)
    expect(first.body).toContain('3 orientation(s) dont le point prévu est dépassé')
    expect(first.body).toContain('href="/admin/p/test/referrals?page=2" rel="next">Orientations suivantes')
    expect(first.body).not.toContain('rel="prev"')

    const second = await w.admin.get('/admin/p/test/referrals?page=2')
    expect(second.statusCode).toBe(200)
    const rest = rowsOf(second.body)
    expect(rest).toHaveLength(total - REFERRALS_PER_PAGE)
    expect(new Set([...rows, ...rest].map((r) => r.id)).size).toBe(total)
    expect(second.body).toContain('rel="prev">← Orientations précédentes')
    expect(second.body).not.toContain('rel="next"')
    expect(second.body).toContain('3 orientation(s) dont le point prévu est dépassé') // counted over every page

    // A filter is kept from page to page.
    const filtered = await w.admin.get(`/admin/p/test/referrals?partenaire=${w.partners.caf}`)
    expect(filtered.body).toContain(`href="/admin/p/test/referrals?partenaire=${w.partners.caf}&amp;page=2" rel="next"`)
    // Past the last page: the last page; not a number: a French 400.
    expect(rowsOf((await w.admin.get('/admin/p/test/referrals?page=40')).body)).toEqual(rest)
    const bad = await w.admin.get('/admin/p/test/referrals?page=deux')
    expect(bad.statusCode).toBe(400)
    expect(bad.body).toContain('Nombre entier attendu')
  })

  it('has no page links when everything fits on one page', async () => {
    w = await world()
    await aReferral(w)
    const list = await w.admin.get('/admin/p/test/referrals')
    expect(rowsOf(list.body)).toHaveLength(1)
    expect(list.body).not.toContain('class="pager"')
  })
})
