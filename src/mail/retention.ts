import { truncateLog } from '../db/index.js'
import type { Db } from '../db/schema.js'
import { BODY_RETENTION_DAYS, purgeBodies } from './outbox.js'
import { removeMessageFiles } from './transport.js'

// A message done with (sent, failed or replaced) keeps its content BODY_RETENTION_DAYS days, for the
// facilitator's Courriers page and "Renvoyer"; then its text, HTML and calendar part are emptied, and its
// local copy (.eml) deleted. The row stays: to whom, what about, when, and what became of it.

export function retentionCutoff(now: Date, days = BODY_RETENTION_DAYS): string {
  return new Date(now.getTime() - days * 24 * 3600 * 1000).toISOString()
}

/** Returns how many messages lost their content. */
export async function purgeOldMail(db: Db, dataDir: string, now: Date): Promise<number> {
  const purged = await purgeBodies(db, retentionCutoff(now))
  if (purged.length === 0) return 0
  await removeMessageFiles(dataDir, purged)
  await truncateLog(db)
  return purged.length
}
