import { type Migration, type MigrationProvider, Migrator } from 'kysely'
import * as initial from '../../migrations/2026-11-23T0900-initial.js'
import * as indexes from '../../migrations/2026-11-24T0900-indexes.js'
import * as contentVersion from '../../migrations/2026-11-25T0900-content-version.js'
import * as retiredLink from '../../migrations/2026-12-02T0900-retired-link.js'
import * as outboxLinks from '../../migrations/2026-12-02T0920-outbox-links.js'
import * as pitchConfirmation from '../../migrations/2026-12-02T0940-pitch-confirmation.js'
import * as delegations from '../../migrations/2026-12-02T0950-delegations.js'
import * as platformAdmin from '../../migrations/2026-12-02T1000-platform-admin.js'
import * as sessionAlias from '../../migrations/2026-12-02T1010-session-alias.js'
import * as facilitatorToken from '../../migrations/2026-12-02T1030-facilitator-token.js'
import * as sessionRecord from '../../migrations/2026-12-03T0900-session-record.js'
import * as totp from '../../migrations/2026-12-03T0910-totp.js'
import * as calendarReplies from '../../migrations/2026-12-03T0920-calendar-replies.js'
import * as targets from '../../migrations/2026-12-03T0930-targets.js'
import * as audit from '../../migrations/2026-12-03T0940-audit.js'
import * as minutes from '../../migrations/2026-12-04T0900-minutes.js'
import * as journey from '../../migrations/2026-12-04T0910-journey.js'
import * as platformSettings from '../../migrations/2026-12-04T0920-platform-settings.js'
import * as pitchHolderIndex from '../../migrations/2026-12-04T0930-pitch-holder-index.js'
import * as materialSequence from '../../migrations/2026-12-04T0940-material-sequence.js'
import * as sessionCancellation from '../../migrations/2026-12-05T1000-session-cancellation.js'
import * as contactPartnerPending from '../../migrations/2026-12-05T1100-contact-partner-pending.js'
import type { Db } from './schema.js'

// Listed explicitly rather than read from the folder, so the same list runs from src/ (tests) and dist/.
const migrations: Record<string, Migration> = {
  '2026-11-23T0900-initial': initial,
  '2026-11-24T0900-indexes': indexes,
  '2026-11-25T0900-content-version': contentVersion,
  '2026-12-02T0900-retired-link': retiredLink,
  '2026-12-02T0920-outbox-links': outboxLinks,
  '2026-12-02T0940-pitch-confirmation': pitchConfirmation,
  '2026-12-02T0950-delegations': delegations,
  '2026-12-02T1000-platform-admin': platformAdmin,
  '2026-12-02T1010-session-alias': sessionAlias,
  '2026-12-02T1030-facilitator-token': facilitatorToken,
  '2026-12-03T0900-session-record': sessionRecord,
  '2026-12-03T0910-totp': totp,
  '2026-12-03T0920-calendar-replies': calendarReplies,
  '2026-12-03T0930-targets': targets,
  '2026-12-03T0940-audit': audit,
  '2026-12-04T0900-minutes': minutes,
  '2026-12-04T0910-journey': journey,
  '2026-12-04T0920-platform-settings': platformSettings,
  '2026-12-04T0930-pitch-holder-index': pitchHolderIndex,
  '2026-12-04T0940-material-sequence': materialSequence,
  '2026-12-05T1000-session-cancellation': sessionCancellation,
  '2026-12-05T1100-contact-partner-pending': contactPartnerPending,
}

const provider: MigrationProvider = { getMigrations: async () => migrations }

/** Applies pending migrations; throws (with the failing migration's name) if one fails. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error) {
    throw new Error(`Migration failed${failed ? ` (${failed.migrationName})` : ''}: ${String((error as Error).message ?? error)}`)
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
