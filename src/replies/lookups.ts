import type { Db } from '../db/schema.js'
import { findSessionById } from '../sessions/store.js'

// Read-only queries over other folders' tables: the session a calendar UID names (sessions/), the message a
// bounce returns (mail/'s outbox). Nothing here writes.

export async function sessionByUid(db: Db, uid: string) {
  const row = await db.selectFrom('session').select('id').where('uid', '=', uid).executeTakeFirst()
  return row ? findSessionById(db, row.id) : undefined
}

/** The message Fabrik sent with this Message-ID (a bounce quotes it in its returned headers). */
export function sentMessage(db: Db, messageId: string) {
  return db.selectFrom('outbox').select(['platform_id', 'session_id', 'to_email'])
    .where('message_id', '=', messageId).executeTakeFirst()
}

