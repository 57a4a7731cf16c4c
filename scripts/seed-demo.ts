import { loadConfig } from '../src/config.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { systemClock } from '../src/context.js'
import { LUXEMBOURG_FACILITATOR, LUXEMBOURG_SLUG } from '../src/demo/luxembourg.js'
import { DEMO_SLUG, seedDemo, seedDemoPartners, seedDemoPitches } from '../src/demo/seed.js'
import { createViews } from '../src/web/views.js'

// `npm run seed:demo`: the Lens-Liévin demo platform and the Province de Luxembourg's; a second run changes nothing.
const config = loadConfig()
const db = createDatabase(config)
try {
  await migrateToLatest(db)
  const report = await seedDemo({ db, uidHost: new URL(config.publicUrl).hostname, now: new Date() })
  const ctx = { config, db, clock: systemClock, views: createViews() }
  const pitches = await seedDemoPitches(ctx)
  const contacts = await seedDemoPartners(ctx)
  console.log(`Demo platform "${DEMO_SLUG}": ${report.platformCreated ? 'created' : 'already there'}; added ${report.communes} communes, ${report.venues} venues, ${report.sessions} sessions, ${pitches} pitches, ${contacts} partner contacts.`)
  const lux = report.luxembourg
  console.log(`Demo platform "${LUXEMBOURG_SLUG}": ${lux.platformCreated ? 'created' : 'already there'}; added ${lux.communes} communes, ${lux.sessions} sessions — ${lux.rule}, always at Square Albert 1er in Arlon (not itinerant); facilitator ${LUXEMBOURG_FACILITATOR.email} (set a password with npm run user:add -- --email ${LUXEMBOURG_FACILITATOR.email} --name "${LUXEMBOURG_FACILITATOR.name}" --platform ${LUXEMBOURG_SLUG}).`)
  console.log(`Open ${config.publicUrl}/${DEMO_SLUG} and ${config.publicUrl}/${LUXEMBOURG_SLUG} (both listed at ${config.publicUrl}/)`)
} catch (error) {
  console.error(error instanceof Error ? error.message : error)
  process.exitCode = 1
} finally {
  await db.destroy()
}
