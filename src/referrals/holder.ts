import type { Db } from '../db/schema.js'
import { formatLongDate } from '../calendar/zoned.js'
import { referralsOfInitiative } from './reads.js'
import { STATUS_LABELS } from './status.js'
import { shareContactWithPartner } from './store.js'

// What the holder's /pitch/ page (pitches/, a lower floor) shows and does of their referrals: app.ts hands
// these two functions to pitchRoutes as an option, so pitches/ never imports referrals/.

export interface HolderReferral {
  id: number
  partnerName: string
  subject: string
  statusLabel: string
  followUp: string | null
  shared: boolean
}

async function holderReferralList(db: Db, initiativeId: number): Promise<HolderReferral[]> {
  return (await referralsOfInitiative(db, initiativeId)).map((r) => ({
    id: r.id, partnerName: r.partner_name, subject: r.subject, statusLabel: STATUS_LABELS[r.status],
    followUp: r.follow_up_on ? formatLongDate(r.follow_up_on) : null, shared: r.share_contact === 1,
  }))
}

/** The holder agrees to share their details with the partner of one referral of their initiative. */
function holderShareContact(db: Db, input: { referralId: number; initiativeId: number; holderName: string }, now: string): Promise<boolean> {
  return db.transaction().execute((trx) => shareContactWithPartner(trx, input, now))
}

export const holderReferrals = { list: holderReferralList, share: holderShareContact }
