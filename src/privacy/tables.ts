import type { Database } from '../db/schema.js'

// What is personal, table by table (issue #17, tracker 22): the one map the export, the erasure and the guard
// test (test/privacy/tables.test.ts, which reads the migrated database's tables and columns at run time) go by.
// A table or column added without a line here fails that test: say what it holds before it ships.
//
// Who is a "person" here: a holder, a partner contact, a walk-in at a session (attendance with a name), a venue's
// host, a colleague invited to the team (facilitator_token), a recipient of the outbox, all matched by email
// within one platform. Facilitator accounts are staff: they leave through the team page, not through erasure.
//
// Column rules, applied to the person's own rows (`own` below; whose.ts says which rows those are):
//   keep      not about the person: ids, dates, statuses, figures, the organisation, staff data
//   name      a person's name: becomes ERASED_NAME (a pitch stays a pitch by "Personne effacée")
//   null      identity or free text of theirs that no figure needs: emptied
//   address   a required address: becomes ERASED_ADDRESS (reserved .invalid domain: nothing is ever sent there)
//   zero      a flag that must stop (an active contact is invited, a consent shares details): 0
//   link:*    a personal link's hash: kept aside in retired_link (the link answers 410) and replaced by a value
//             no token hashes to
//   body      a message's content sent to them: emptied (their queued messages are dropped, erase.ts)
//   note      free text of theirs (a comment): emptied on their rows, scrubbed as `text` on everyone else's
// and on every row of the platform, their own or not:
//   text      free text that may name them: each of their names, addresses and phone numbers in it is replaced
//   body, note  the same on messages to others (minutes, invitations listing the pitches), others' comments

export const ERASED_NAME = 'Personne effacée'
export const ERASED_ADDRESS = 'personne.effacee@invalid'

export type LinkPurposeRule = 'link:pitch' | 'link:rsvp' | 'link:feed' | 'link:facilitator'
export type ColumnRule = 'keep' | 'name' | 'null' | 'address' | 'zero' | 'text' | 'note' | 'body' | LinkPurposeRule

export interface TableRule<T extends keyof Database> {
  /** What the person's own rows become: updated by the column rules, or deleted (the row is only identity). */
  own: 'update' | 'delete' | null
  /** The row's key (for the update); a table without an id names its primary key. */
  key: Array<keyof Database[T] & string>
  columns: { [C in keyof Database[T] & string]?: ColumnRule }
}

export type PrivacyMap = { [T in keyof Database]?: TableRule<T> }

const keep = 'keep' as const

export const PERSONAL: PrivacyMap = {
  // The structure's published contact (the privacy notice names it): not a data subject of this map.
  platform: { own: null, key: ['id'], columns: { id: keep, slug: keep, name: keep, timezone: keep, country: keep, region: keep, rrule: keep, default_start: keep, default_end: keep, default_video_url: keep, contact_name: keep, contact_email: keep, contact_phone: keep, booking_mode: keep, booking_close_days: keep, booking_hold_hours: keep, reminder_days: keep, agenda_template: keep, itinerant: keep, home_venue_id: keep, skip_months: keep, archived_at: keep, require_totp: keep, created_at: keep, updated_at: keep, privacy_notice: keep, retention_months: keep, reply_imap_url: keep, reply_imap_secret: keep } },
  // Staff accounts and their logins: removed through the team page (platforms/), never by a person's erasure.
  facilitator: { own: null, key: ['id'], columns: { id: keep, email: keep, name: keep, password_hash: keep, disabled_at: keep, admin: keep, created_at: keep } },
  facilitator_platform: { own: null, key: ['facilitator_id', 'platform_id'], columns: { facilitator_id: keep, platform_id: keep } },
  login: { own: null, key: ['id'], columns: { id: keep, token_hash: keep, facilitator_id: keep, created_at: keep, expires_at: keep } },
  // Two-factor login of staff accounts (encrypted secret, hashed recovery codes): cascades with the account.
  facilitator_totp: { own: null, key: ['facilitator_id'], columns: { facilitator_id: keep, secret_box: keep, last_counter: keep, enabled_at: keep } },
  facilitator_recovery_code: { own: null, key: ['id'], columns: { id: keep, facilitator_id: keep, code_hash: keep, used_at: keep } },
  // Counters by client address that expire within the hour.
  rate_limit: { own: null, key: ['key'], columns: { key: keep, count: keep, window_ends_at: keep } },
  commune: { own: null, key: ['id'], columns: { id: keep, platform_id: keep, name: keep, name_key: keep, slug: keep, postcode: keep, code: keep, created_at: keep } },
  venue: { own: 'update', key: ['id'], columns: { id: keep, platform_id: keep, commune_id: keep, name: keep, address: keep, accessibility: keep, capacity: keep, host_name: 'name', host_email: 'null', host_phone: 'null', created_at: keep, updated_at: keep } },
  session: { own: null, key: ['id'], columns: { id: keep, platform_id: keep, date: keep, start_time: keep, end_time: keep, starts_at: keep, ends_at: keep, commune_id: keep, venue_id: keep, mode: keep, video_url: keep, status: keep, notes: 'text', moved_because: 'text', pitch_slots: keep, uid: keep, sequence: keep, material_sequence: keep, cancelled_from: keep, cancelled_at: keep, created_at: keep, updated_at: keep } },
  agenda_item: { own: null, key: ['id'], columns: { id: keep, session_id: keep, position: keep, kind: keep, title: 'text', duration_minutes: keep } },
  // The row stays (its pitches, attendance and referrals are counted); only who it was goes.
  holder: { own: 'update', key: ['id'], columns: { id: keep, platform_id: keep, name: 'name', email: 'null', email_key: 'null', phone: 'null', kind: keep, commune_id: keep, feed_token_hash: 'link:feed', feed_version: keep, shares_contact: 'zero', created_at: keep, updated_at: keep } },
  initiative: { own: null, key: ['id'], columns: { id: keep, platform_id: keep, title: 'text', summary: 'text', domain: keep, needs: keep, stage: keep, commune_id: keep, merged_into_id: keep, created_at: keep, updated_at: keep } },
  initiative_holder: { own: null, key: ['initiative_id', 'holder_id'], columns: { initiative_id: keep, holder_id: keep } },
  pitch: { own: 'update', key: ['id'], columns: { id: keep, session_id: keep, initiative_id: keep, holder_id: keep, status: keep, position: keep, attendance_mode: keep, public_title: keep, facilitator_message: 'text', token_hash: 'link:pitch', token_version: keep, address_confirmed_at: keep, hold_until: keep, form_nonce_hash: 'null', confirm_token_hash: 'link:pitch', created_at: keep, updated_at: keep } },
  partner: { own: null, key: ['id'], columns: { id: keep, platform_id: keep, name: keep, name_key: keep, kind: keep, themes: keep, website: keep, notes: 'text', delegation_day: keep, delegation_count: keep, created_at: keep, updated_at: keep } },
  // The row stays (invitations, answers, advice and attendance count for the organisation); inactive, so never
  // invited again.
  contact: { own: 'update', key: ['id'], columns: { id: keep, partner_id: keep, name: 'name', email: 'address', email_key: 'address', phone: 'null', role: 'null', active: 'zero', pending: keep, feed_token_hash: 'link:feed', feed_version: keep, created_at: keep, updated_at: keep } },
  invitation: { own: 'update', key: ['id'], columns: { id: keep, session_id: keep, contact_id: keep, token_hash: 'link:rsvp', token_version: keep, previous_token_hash: 'null', answer: keep, comment: 'note', delegate_name: 'text', delegate_email: 'text', delegated_from_id: keep, delegate_contact_id: keep, delegations: keep, answered_at: keep, invited_at: keep, reminded_at: keep, created_at: keep, updated_at: keep, answer_source: keep, calendar_answered_at: keep, address_failed_at: keep, address_failure: 'text' } },
  // Advice stays counted and readable; a name in it (author_name of a walk-in, or in the text) goes.
  advice: { own: null, key: ['id'], columns: { id: keep, pitch_id: keep, contact_id: keep, partner_id: keep, body: 'text', source: keep, author_name: 'text', recorded_by: keep, created_at: keep } },
  // A walk-in's row is their presence (counted for partnersPresent through partner_id): it stays, nameless.
  attendance: { own: 'update', key: ['id'], columns: { id: keep, session_id: keep, contact_id: keep, holder_id: keep, partner_id: keep, name: 'name', organisation: keep, email: 'null', presence: keep, recorded_by: keep, created_at: keep, updated_at: keep } },
  pitch_record: { own: null, key: ['pitch_id'], columns: { pitch_id: keep, summary: 'text', next_steps: 'text', stage_after: keep, stage_before: keep, revisit: keep, revisit_session_id: keep, revisit_offered_at: keep, version: keep, updated_by: keep, created_at: keep, updated_at: keep } },
  // A referral follows the organisation: its link is the partner's (not retired when a contact or holder goes),
  // and what it shows of the holder comes from the anonymised holder row.
  referral: { own: null, key: ['id'], columns: { id: keep, pitch_id: keep, initiative_id: keep, partner_id: keep, contact_id: keep, subject: 'text', follow_up_on: keep, status: keep, share_contact: keep, token_hash: keep, token_version: keep, reminded_at: keep, created_by: keep, created_at: keep, updated_at: keep } },
  referral_event: { own: null, key: ['id'], columns: { id: keep, referral_id: keep, status: keep, note: 'text', by_kind: keep, by_facilitator_id: keep, by_contact_id: keep, by_name: 'text', created_at: keep } },
  // Their messages keep their metadata (kind, dates, status: what was sent, for the figures and the Courriers
  // page); the queued ones are dropped.
  outbox: { own: 'update', key: ['id'], columns: { id: keep, kind: keep, platform_id: keep, session_id: keep, thread_key: keep, dedupe_key: keep, to_name: 'name', to_email: 'address', subject: 'text', text_body: 'body', html_body: 'body', ical_method: keep, ical: 'body', message_id: keep, status: keep, attempts: keep, next_attempt_at: keep, lease_until: keep, last_error: 'text', sent_at: keep, created_at: keep } },
  // The minutes (minutes/): the facilitator's texts and each sent document name holders and partner people.
  minutes_draft: { own: null, key: ['id'], columns: { id: keep, session_id: keep, intro: 'text', updated_by: keep, created_at: keep, updated_at: keep } },
  minutes_pitch_text: { own: null, key: ['id'], columns: { id: keep, session_id: keep, pitch_id: keep, text: 'text', updated_by: keep, updated_at: keep } },
  minutes_version: { own: null, key: ['id'], columns: { id: keep, session_id: keep, version: keep, document: 'text', partner_count: keep, holder_count: keep, sent_by: keep, sent_at: keep } },
  session_alias: { own: null, key: ['platform_id', 'date'], columns: { platform_id: keep, date: keep, session_id: keep, created_at: keep } },
  // A colleague invited to the team: the row is only who they are and their one-time link.
  facilitator_token: { own: 'delete', key: ['id'], columns: { id: keep, purpose: keep, facilitator_id: keep, platform_id: keep, email: 'address', name: 'name', invited_by: keep, token_hash: 'link:facilitator', created_at: keep, expires_at: keep, used_at: keep } },
  retired_link: { own: null, key: ['token_hash'], columns: { token_hash: keep, purpose: keep, platform_id: keep, reason: keep, retired_at: keep } },
  content_version: { own: null, key: ['platform_id'], columns: { platform_id: keep, version: keep } },
  // A calendar answer (or bounce) read from the organiser's mailbox: the row stays (what came of it), who sent it
  // goes; the poller's reason and a bounce's diagnostic may quote the address.
  calendar_reply: { own: 'update', key: ['id'], columns: { id: keep, mailbox: keep, message_id: keep, imap_uid: keep, kind: keep, outcome: keep, reason: 'text', platform_id: keep, session_id: keep, invitation_id: keep, attendee_email: 'null', partstat: keep, sequence: keep, dtstamp: keep, from_address: 'null', subject: 'null', received_at: keep, moved: keep, processed_at: keep } },
  // The poller's position in the organiser's mailbox: nothing about a person.
  calendar_reply_state: { own: null, key: ['mailbox'], columns: { mailbox: keep, uid_validity: keep, last_uid: keep, last_attempt_at: keep, last_success_at: keep, last_error: keep, failures: keep, next_attempt_at: keep } },
  // Yearly targets: figures, and the facilitator who set them.
  target: { own: null, key: ['id'], columns: { id: keep, platform_id: keep, year: keep, indicator: keep, value: keep, updated_by: keep, updated_at: keep } },
  // The retention job's next run on a platform: figures only.
  retention_run: { own: null, key: ['platform_id'], columns: { platform_id: keep, cutoff: keep, run_at: keep, announced_at: keep, holders: keep, contacts: keep, others: keep, done_at: keep } },
  // Rows by id and counts, never the data (audit/store.ts); address is the acting facilitator's.
  audit_event: { own: null, key: ['id'], columns: { id: keep, platform_id: keep, actor_kind: keep, actor_facilitator_id: keep, action: keep, subject: keep, detail: keep, address: keep, created_at: keep } },
}

/** Free text that may name someone else: scrubbed on every row of the platform. */
const isTextRule = (rule: ColumnRule): boolean => rule === 'text' || rule === 'body' || rule === 'note'

// The map read once: each table's columns with a rule other than keep, and its free-text columns among them.
const RULES = new Map<keyof Database, Array<[string, ColumnRule]>>()
const TEXT = new Map<keyof Database, string[]>()
for (const [table, rule] of Object.entries(PERSONAL) as Array<[keyof Database, TableRule<keyof Database>]>) {
  const rules = (Object.entries(rule.columns) as Array<[string, ColumnRule]>).filter(([, r]) => r !== 'keep')
  RULES.set(table, rules)
  TEXT.set(table, rules.filter(([, r]) => isTextRule(r)).map(([c]) => c))
}

/** The columns of `table` that carry a rule other than keep. */
export function rulesOf(table: keyof Database): ReadonlyArray<[string, ColumnRule]> {
  return RULES.get(table) ?? []
}

/** Free-text columns of `table`, scrubbed of the person's names on every row of the platform. */
export function textColumns(table: keyof Database): readonly string[] {
  return TEXT.get(table) ?? []
}
