import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PlatformAddError, platformAdd } from '../../src/platforms/platform-add.js'
import { DEFAULT_AGENDA } from '../../src/sessions/agenda.js'
import { projectRoot } from '../../src/web/views.js'
import { buildTestApp, facilitatorClient, type TestApp } from '../helpers/app.js'

// `npm run platform:add`: the creation form's checks from the command line; one line naming the wrong
// option, nothing created. The platforms it makes plan their years with their own holidays.

const DATA = join(projectRoot(), 'src', 'demo', 'data')

describe('npm run platform:add', () => {
  let t: TestApp
  beforeEach(async () => { t = await buildTestApp() })
  afterEach(() => t.close())

  const run = (args: string[]) => platformAdd(args, {
    db: t.db, now: t.clock.now(), readFile: (path) => readFileSync(path), agendaTemplate: JSON.stringify(DEFAULT_AGENDA),
  })
  const failure = async (args: string[]) => {
    const error = await run(args).then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(PlatformAddError)
    return (error as Error).message
  }
  const platforms = () => t.db.selectFrom('platform').selectAll().orderBy('id').execute()

  const BE = ['--slug', 'province-lux', '--name', 'Fabrique à projets', '--country', 'BE', '--mailbox', 'fabrique@lux.example.org',
    '--communes', join(DATA, 'luxembourg-be-communes.csv'), '--rrule', 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', '--start', '14:00', '--end', '16:30',
    '--venue-name', 'Local de la Fabrique', '--venue-address', 'Square Albert 1er, B-6700 Arlon', '--venue-commune', 'Arlon']
  const FR = ['--slug', 'metz', '--name', 'Fabrik de Metz', '--country', 'fr', '--region', 'FR-57', '--mailbox', 'animation@metz.example.org']

  it('creates a Belgian and an Alsace-Moselle platform whose planned years avoid their own holidays', async () => {
    const out = await run(BE)
    expect(out).toContain('Created platform "province-lux" (Fabrique à projets): 43 communes, time zone Europe/Brussels, public holidays BE')
    expect(await run(FR)).toContain('time zone Europe/Paris, public holidays FR-57')
    const [lux, metz] = await platforms()
    expect(lux).toMatchObject({ country: 'BE', region: null, timezone: 'Europe/Brussels', itinerant: 0, default_start: '14:00', skip_months: '1,8' })
    expect(metz).toMatchObject({ country: 'FR', region: '57', timezone: 'Europe/Paris', itinerant: 1, rrule: 'FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1' })
    expect(lux!.home_venue_id).not.toBeNull()

    const c = await facilitatorClient(t.app, t.db, [lux!.id, metz!.id])
    await c.submit('/admin/p/province-lux/plan', { year: '2025', start_time: '14:00', end_time: '16:30' })
    await c.submit('/admin/p/metz/plan', { year: '2025', start_time: '09:00', end_time: '12:00' })
    const sessions = (slug: string) => t.db.selectFrom('session').innerJoin('platform', 'platform.id', 'session.platform_id')
      .select(['session.date', 'session.moved_because', 'session.venue_id']).where('platform.slug', '=', slug).orderBy('session.date').execute()
    const luxSessions = await sessions('province-lux')
    expect(luxSessions.find((s) => s.date.startsWith('2025-11'))).toMatchObject({ date: '2025-11-04', moved_because: 'Jour férié : Armistice (11 novembre)' })
    expect(luxSessions.every((s) => s.venue_id === lux!.home_venue_id)).toBe(true)
    // 26 December 2025 is the last Friday, and a holiday in Moselle only.
    expect((await sessions('metz')).find((s) => s.date.startsWith('2025-12'))).toMatchObject({ date: '2025-12-19', moved_because: 'Jour férié : Lendemain de Noël (26 décembre)' })
  })

  it('answers a wrong value with one line naming the option, and creates nothing', async () => {
    await run(FR)
    const before = await platforms()
    const wrong: Array<[string[], RegExp]> = [
      [[...FR], /^--slug: cet identifiant est déjà celui d’une autre plateforme\.$/],
      [[...FR.slice(2)], /^--slug: Ce champ est obligatoire\.$/],
      [['--slug', 'Metz 2', ...FR.slice(2)], /^--slug: Minuscules sans accent/],
      [['--slug', 'login', ...FR.slice(2)], /^--slug: « login » est réservé/],
      [[...BE.slice(0, 4), '--country', 'ZZ', ...BE.slice(6)], /^--country: Pays inconnu : « ZZ »/],
      [[...FR, '--slug', 'metz-2', '--region', '75'], /^--region: Région inconnue pour ce pays/],
      [['--slug', 'x-be', '--name', 'X', '--country', 'BE', '--region', 'WAL', '--mailbox', 'a@b.example.org'], /^--region: Ce pays n'a pas de région aux jours fériés différents/],
      [[...FR, '--slug', 'metz-2', '--timezone', 'Europe/Metz'], /^--timezone: Fuseau horaire inconnu : « Europe\/Metz »/],
      [['--slug', 'us', '--name', 'US', '--country', 'US', '--mailbox', 'a@b.example.org'], /^--timezone: Ce pays compte plusieurs fuseaux horaires/],
      [[...FR, '--slug', 'metz-2', '--mailbox', 'animation at metz'], /^--mailbox: Adresse e-mail invalide\.$/],
      [[...FR, '--slug', 'metz-2', '--rrule', 'FREQ=MONTHLY;COUNT=3'], /^--rrule: La règle ne doit pas contenir COUNT/],
      [[...FR, '--slug', 'metz-2', '--start', '25:00'], /^--start: Heure invalide/],
      [[...FR, '--slug', 'metz-2', '--venue-name', 'Salle'], /^--venue-address: Indiquez l'adresse du lieu\.$/],
      [[...FR, '--slug', 'metz-2', '--communes', join(DATA, 'luxembourg-be-communes.csv')], /^--communes: ligne 2 : Code postal invalide : « 6700 » \(5 chiffres en France — un zéro initial perdu par le tableur \?\) ; et 42 autre\(s\) erreur\(s\)\. Rien n'a été créé\.$/],
      [[...FR, '--slug', 'metz-2', '--communes', '/nowhere.csv'], /^--communes: cannot read \/nowhere\.csv$/],
      [[...FR, '--slug', 'metz-2', '--colour', 'blue'], /Unknown option '--colour'/],
    ]
    for (const [args, message] of wrong) {
      const line = await failure(args)
      expect(line, args.join(' ')).toMatch(message)
      expect(line).not.toContain('\n')
    }
    expect(await platforms()).toEqual(before)
    expect(await t.db.selectFrom('commune').selectAll().execute()).toEqual([])
  })
})
