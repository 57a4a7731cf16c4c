import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { venueForm } from '../../src/platforms/forms.js'
import { sessionForm } from '../../src/sessions/forms.js'
import { optionalEmail, optionalHttpsUrl, optionalInteger, parseForm } from '../../src/web/forms.js'

// Every message a form answers is French (#24 §6): the mechanism (parseForm) gives one to any check that
// carries none, so a crafted value never reads zod's English "Invalid input".

const english = /Invalid|invalid input|[Ee]xpected|received|[Tt]oo (small|big)/

describe('French form messages', () => {
  it('optionalInteger answers a negative number in French', () => {
    const r = parseForm(z.object({ capacity: optionalInteger(1, 10000) }), { capacity: '-3' })
    expect(r.ok).toBe(false)
    expect(!r.ok && r.errors.capacity).toBe('Nombre entier attendu, entre 1 et 10000.')
    const venue = parseForm(venueForm, { name: 'Salle', address: '1 rue', commune_id: '1', capacity: '-5' })
    expect(!venue.ok && venue.errors.capacity).toBe('Nombre entier attendu, entre 1 et 10000.')
  })

  it('a crafted commune_id on the session form reads French', () => {
    const r = parseForm(sessionForm, { date: '2026-12-18', start_time: '09:00', end_time: '12:00', commune_id: 'x; DROP', venue_id: '-1', mode: 'in_person', video_url: '', notes: '' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.errors.commune_id).toBeDefined()
    for (const message of Object.values(r.errors)) expect(message).not.toMatch(english)
  })

  it('optional e-mail and https fields say what is wrong, in French', () => {
    const r = parseForm(z.object({ e: optionalEmail(), u: optionalHttpsUrl() }), { e: 'pas-une-adresse', u: 'http://exemple.org' })
    expect(!r.ok && r.errors).toEqual({ e: 'Adresse e-mail invalide.', u: 'Adresse invalide : elle doit commencer par https://' })
  })

  it('any schema without its own messages answers in French', () => {
    const schema = z.object({
      n: z.number(), s: z.string().min(3), big: z.string().max(2), pick: z.enum(['a', 'b']), mail: z.email(), list: z.array(z.string()).min(1),
      either: z.union([z.literal('x'), z.literal('y')]), missing: z.string(),
    })
    const r = parseForm(schema, { n: 'douze', s: 'ab', big: 'abc', pick: 'c', mail: 'nope', list: [], either: 'z' })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(Object.keys(r.errors).sort()).toEqual(['big', 'either', 'list', 'mail', 'missing', 'n', 'pick', 's'])
    for (const message of Object.values(r.errors)) expect(message).not.toMatch(english)
    expect(r.errors.missing).toBe('Ce champ est obligatoire.')
    expect(r.errors.pick).toBe('Choisissez une valeur dans la liste.')
  })
})
