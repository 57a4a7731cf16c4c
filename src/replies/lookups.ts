import type { Db } from '../db/schema.js'
import { findSessionById } from '../sessions/store.js'

// Read-only queries over other folders' tables: the session a calendar UID names (sessions/), the message a
// bounce returns (mail/'s outbox), the platforms' own mailboxes and contact addresses (platforms/). Nothing
// here writes.

export async function sessionByUid(db: Db, uid: string) {
  const row = await db.selectFrom('session').select('id').where('uid', '=', uid).executeTakeFirst()
  return row ? findSessionById(db, row.id) : undefined
}

/** The message Fabrik sent with this Message-ID (a bounce quotes it in its returned headers). */
export function sentMessage(db: Db, messageId: string) {
  return db.selectFrom('outbox').select(['platform_id', 'session_id', 'to_email'])
    .where('message_id', '=', messageId).executeTakeFirst()
}


/** The platforms (not archived) that set their own ORGANIZER mailbox, with its sealed password. */
export async function platformMailboxes(db: Db) {
  const rows = await db.selectFrom('platform').select(['id', 'reply_imap_url', 'reply_imap_secret'])
    .where('archived_at', 'is', null).where('reply_imap_url', 'is not', null).where('reply_imap_secret', 'is not', null).orderBy('id').execute()
  return rows as Array<{ id: number; reply_imap_url: string; reply_imap_secret: string }>
}

/** The one platform whose contact address is among these (a message sent To it), if exactly one is. */
export async function platformOfAddresses(db: Db, addresses: string[]): Promise<number | null> {
  const keys = [...new Set(addresses.map((a) => a.trim().toLowerCase()).filter(Boolean))]
  if (keys.length === 0) return null
  const rows = await db.selectFrom('platform').select('id').where((eb) => eb(eb.fn('lower', ['contact_email']), 'in', keys)).limit(2).execute()
  return rows.length === 1 ? rows[0]!.id : null
}
