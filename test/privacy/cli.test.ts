import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { upsertHolder } from '../../src/pitches/store.js'
import { PersonCliError, personEraseCli, personExportCli } from '../../src/privacy/cli.js'
import { buildTestApp, createPlatform, type TestApp } from '../helpers/app.js'

// `npm run person:export` and `npm run person:erase` (scripts/person-*.ts print what these return, or the
// error's one line and exit 1): a wrong option names itself and nothing is read, changed or logged.

describe('npm run person:export / person:erase', () => {
  let t: TestApp
  beforeEach(async () => {
    t = await buildTestApp()
    const platform = await createPlatform(t.db)
    await upsertHolder(t.db, platform.id, { name: 'Nadia Benali', email: 'Nadia.Benali@example.org', phone: null, kind: 'resident', commune_id: null }, t.clock.now().toISOString())
  })
  afterEach(() => t.close())
  const deps = () => ({ db: t.db, now: t.clock.now(), dataDir: t.dataDir })
  const failure = async (run: Promise<string>) => {
    const error = await run.then(() => null, (e: unknown) => e)
    expect(error).toBeInstanceOf(PersonCliError)
    const message = (error as Error).message
    expect(message.split('\n')).toHaveLength(1)
    return message
  }

  it('refuses a wrong option in one line naming it, reading and logging nothing', async () => {
    expect(await failure(personExportCli(['--email', 'nadia.benali@example.org'], deps()))).toMatch(/^--platform: required/)
    expect(await failure(personExportCli(['--platform', 'test', '--email', 'pas-une-adresse'], deps()))).toMatch(/^--email:/)
    expect(await failure(personExportCli(['--platform', 'nowhere', '--email', 'nadia.benali@example.org'], deps()))).toBe('--platform: unknown platform "nowhere".')
    expect(await failure(personExportCli(['--platform', 'test', '--email', 'a@b.org', '--mail', 'x'], deps()))).toMatch(/--mail/)
    expect(await failure(personEraseCli(['--platform', 'test', '--email', 'nadia.benali@example.org'], deps()))).toMatch(/^--yes: required/)
    expect(await t.db.selectFrom('audit_event').selectAll().execute()).toEqual([])
    expect((await t.db.selectFrom('holder').select('name').executeTakeFirstOrThrow()).name).toBe('Nadia Benali')
  })

  it('prints the JSON export, then erases (whatever the address\'s case), and says so when nothing is held any more', async () => {
    const doc = JSON.parse(await personExportCli(['--platform', 'test', '--email', 'NADIA.benali@example.org'], deps()))
    expect(doc.tables.holder[0].name).toBe('Nadia Benali')
    expect(await personEraseCli(['--platform', 'test', '--email', 'nadia.benali@example.org', '--yes'], deps())).toMatch(/^Erased on test: holder 1/)
    expect(await personEraseCli(['--platform', 'test', '--email', 'nadia.benali@example.org', '--yes'], deps())).toBe('Nothing held about this address on test: nothing changed.')
    const audit = await t.db.selectFrom('audit_event').select(['action', 'actor_kind']).orderBy('id').execute()
    expect(audit).toEqual([
      { action: 'person.export', actor_kind: 'operator' }, { action: 'person.erase', actor_kind: 'operator' }, { action: 'person.erase', actor_kind: 'operator' },
    ])
  })
})
