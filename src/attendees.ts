import type { AppContext } from './context.js'
import { invitedContacts } from './partners/recipients.js'
import { confirmedHolders } from './pitches/recipients.js'
import type { Attendees } from './sessions/recipient.js'

/**
 * Who holds a session in their calendar, for sessions/ (a session's change, its reminders): sessions/ sits
 * below partners/ and pitches/ and imports neither, so app.ts and background.ts hand it this provider, which
 * asks each owner for its own people: invited contacts first, then holders of confirmed pitches.
 */
export function attendeesOf(ctx: Pick<AppContext, 'config'>): Attendees {
  return async (db, sessionId, filter = {}) => [
    ...await invitedContacts(ctx, db, sessionId, filter),
    ...await confirmedHolders(ctx, db, sessionId, filter),
  ]
}
