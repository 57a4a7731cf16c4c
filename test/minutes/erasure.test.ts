import { afterEach, describe, expect, it } from 'vitest'
import { erasePerson } from '../../src/privacy/erase.js'
import { csrfToken } from '../helpers/app.js'
import { HOLDERS, MINUTES, minutesWorld, type MinutesWorld, sendFromPage } from './helpers.js'

let w: MinutesWorld
afterEach(async () => { await w?.t.close() })

describe('erasing a holder (person:erase)', () => {
  it('leaves their name in no draft and no sent version of the minutes, the versions kept', async () => {
    w = await minutesWorld()
    const nadia = HOLDERS[0]
    const page = (await w.admin.get(MINUTES)).body
    await w.admin.post(MINUTES, {
      _csrf: csrfToken(page), intro: `Merci à ${nadia.name} pour l'accueil.`,
      [`text_${w.pitches[0]}`]: `${nadia.name} présente son épicerie (écrire à ${nadia.email}).`,
    })
    await sendFromPage(w.admin)
    const correction = (await w.admin.get(MINUTES)).body
    await w.admin.post(MINUTES, { _csrf: csrfToken(correction), intro: `Merci encore à ${nadia.name}.` })
    await sendFromPage(w.admin)
    const texts = async () => {
      const [drafts, pitchTexts, versions] = await Promise.all([
        w.t.db.selectFrom('minutes_draft').select('intro').execute(), w.t.db.selectFrom('minutes_pitch_text').select('text').execute(),
        w.t.db.selectFrom('minutes_version').select(['version', 'document']).orderBy('version').execute(),
      ])
      return { all: JSON.stringify([drafts, pitchTexts, versions.map((v) => v.document)]), versions }
    }
    const before = await texts()
    expect(before.versions).toHaveLength(2)
    expect(before.all).toContain(nadia.name)

    const report = await erasePerson({
      db: w.t.db, platformId: w.platform.id, email: nadia.email, now: w.t.clock.now(), dataDir: w.t.config.dataDir, actor: { kind: 'operator' },
    })
    expect(report.changed.minutes_version).toBe(2)
    const after = await texts()
    expect(after.versions.map((v) => v.version)).toEqual([1, 2])
    expect(after.all).not.toContain(nadia.name)
    expect(after.all).not.toContain(nadia.email)
    expect(after.all).toContain('Personne effacée')
    // The other holders are untouched.
    expect(after.all).toContain(HOLDERS[2].name)
    // The page and print view still open on what is left.
    expect((await w.admin.get(`${MINUTES}/print?version=1`)).body).not.toContain(nadia.name)
  })
})
