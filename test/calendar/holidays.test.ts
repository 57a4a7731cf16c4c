import { describe, expect, it } from 'vitest'
import { countryName, countryTimezones, findHolidayRegion, holidayCountries, holidayName, holidayRegions, isHolidayCountry, publicHolidays } from '../../src/calendar/holidays.js'

describe('publicHolidays', () => {
  it('FR 2026: public holidays only, French names, local dates', () => {
    const fr = publicHolidays('FR', 2026)
    expect(fr.get('2026-01-01')).toBe('Nouvel An')
    expect(fr.get('2026-04-06')).toBe('Lundi de Pâques')
    expect(fr.get('2026-05-01')).toBe('Fête du travail')
    expect(fr.get('2026-07-14')).toBeTruthy()
    expect(fr.get('2026-12-25')).toBe('Noël')
    // Easter Sunday and Mother's Day are observances, not public holidays.
    expect(fr.has('2026-04-05')).toBe(false)
    expect(fr.has('2026-05-31')).toBe(false)
    expect(fr.size).toBe(11)
  })

  it('BE 2026: French-language names, Belgian calendar', () => {
    const be = publicHolidays('BE', 2026)
    expect(be.get('2026-04-06')).toBe('Lundi de Pâques')
    expect(be.get('2026-07-21')).toBe('Fête nationale')
    expect(be.get('2026-12-25')).toBe('Noël')
    expect(be.has('2026-07-14')).toBe(false)
    expect(be.has('2026-05-08')).toBe(false)
    expect(be.size).toBe(10)
  })

  it('joins two holidays falling on the same day', () => {
    expect(holidayName('FR', '2008-05-01')).toBe('Fête du travail et Ascension')
  })

  it('returns a copy: callers cannot corrupt the cache', () => {
    publicHolidays('FR', 2026).set('2026-06-01', 'Faux')
    publicHolidays('FR', 2026).delete('2026-12-25')
    expect(holidayName('FR', '2026-06-01')).toBeNull()
    expect(holidayName('FR', '2026-12-25')).toBe('Noël')
  })
})

describe('holidayName', () => {
  it('names the holiday or returns null', () => {
    expect(holidayName('FR', '2026-12-25')).toBe('Noël')
    expect(holidayName('BE', '2024-04-01')).toBe('Lundi de Pâques')
    expect(holidayName('FR', '2026-12-18')).toBeNull()
    expect(holidayName('BE', '2026-07-14')).toBeNull()
  })

  it('throws on a malformed date', () => {
    expect(() => holidayName('FR', '25/12/2026')).toThrow()
  })
})

describe('regions, countries and zones (what a new platform may choose)', () => {
  it('gives Alsace-Moselle its own holidays: Good Friday and 26 December', () => {
    expect(holidayName('FR', '2027-03-26')).toBeNull()
    expect(holidayName('FR', '2027-03-26', '67')).toBe('Vendredi saint')
    expect(holidayName('FR', '2025-12-26', '57')).toBe('Lendemain de Noël')
    expect(publicHolidays('FR', 2026, '68').size).toBe(publicHolidays('FR', 2026).size + 2)
    expect(() => holidayName('FR', '2026-01-01', 'ZZ')).toThrow()
  })

  it('offers only the regions whose holidays differ from the country’s', () => {
    const fr = holidayRegions('FR')
    expect(fr.slice(0, 3)).toEqual([
      { code: '57', name: 'Alsace-Moselle : Moselle (57)' }, { code: '67', name: 'Alsace-Moselle : Bas-Rhin (67)' }, { code: '68', name: 'Alsace-Moselle : Haut-Rhin (68)' },
    ])
    expect(fr.map((r) => r.code)).toContain('RE')
    expect(holidayRegions('BE')).toEqual([]) // its communities' days are not public holidays
    expect(findHolidayRegion('FR', 'fr-67')?.code).toBe('67')
    expect(findHolidayRegion('FR', '75')).toBeUndefined()
  })

  it('knows countries by their French names, and proposes their zones', () => {
    expect(holidayCountries().slice(0, 2)).toEqual([{ code: 'FR', name: 'France' }, { code: 'BE', name: 'Belgique' }])
    expect(countryName('DE')).toBe('Allemagne')
    expect(isHolidayCountry('LU')).toBe(true)
    expect(isHolidayCountry('XX')).toBe(false)
    expect(isHolidayCountry('fr')).toBe(false)
    expect(countryTimezones('BE')).toEqual(['Europe/Brussels'])
    expect(countryTimezones('FR', 'RE')).toEqual(['Indian/Reunion'])
    expect(countryTimezones('US').length).toBeGreaterThan(1)
  })
})
