import type { ColumnType, Generated, Insertable, Kysely, Selectable, Updateable } from 'kysely'

// Every table's types, in one file. Instants are ISO-8601 UTC text, booleans 0/1, dates 'YYYY-MM-DD'.
// Long file: the Database interface is the schema's single source (ARCHITECTURE.md), so every table stays here.
type Id = Generated<number>
type Flag = 0 | 1

export type SessionMode = 'in_person' | 'videoconference' | 'hybrid'
export type SessionStatus = 'draft' | 'published' | 'cancelled'
export type BookingMode = 'auto' | 'review'
export type PitchStatus = 'pending' | 'confirmed' | 'waiting' | 'declined' | 'withdrawn'
/** 'tentative' ("peut-être") only ever comes from a calendar reply (replies/). */
export type Answer = 'none' | 'on_site' | 'remote' | 'declined' | 'delegate' | 'tentative'
export type OutboxStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'superseded'

export interface PlatformTable {
  id: Id
  slug: string
  name: string
  timezone: string
  /** ISO 3166-1 alpha-2, a country date-holidays knows. */
  country: string
  /** date-holidays state whose public holidays differ from the country's (FR '67': Alsace-Moselle), or null. */
  region: string | null
  rrule: string
  default_start: string
  default_end: string
  default_video_url: string | null
  contact_name: string | null
  contact_email: string
  contact_phone: string | null
  booking_mode: BookingMode
  booking_close_days: number
  /** How long a booking from the public form holds its slot while its holder has not confirmed their address. */
  booking_hold_hours: Generated<number>
  reminder_days: string
  agenda_template: string
  /** 1: sessions move from commune to commune; 0: they meet at home_venue_id. */
  itinerant: Generated<Flag>
  home_venue_id: number | null
  /** Months usually without a session, "1,8": what the year planner proposes. */
  skip_months: Generated<string>
  /** Archived: public URLs answer 410, data kept, restorable by an administrator. */
  archived_at: string | null
  /** 1: its facilitators log in with two-factor (TOTP); an administrator's choice (admin/accounts-routes.ts). */
  require_totp: Generated<Flag>
  created_at: string
  updated_at: string
  /** The privacy notice as its facilitators wrote it (plain text); null: the default (privacy/notice.ts). */
  privacy_notice: string | null
  /** Personal data with no activity for this many months is erased (privacy/retention.ts); default 36. */
  retention_months: Generated<number>
  /** The platform's own ORGANIZER mailbox, imap(s)://user@host:port/FOLDER without its password; null: REPLY_IMAP_URL. */
  reply_imap_url: string | null
  /** Its password, sealed with web/secret-box.ts (purpose 'reply-imap'); never shown back. */
  reply_imap_secret: string | null
}

export interface FacilitatorTable {
  id: Id
  email: string
  name: string
  password_hash: string
  disabled_at: string | null
  /** 1: instance administrator (the "Plateformes" pages). */
  admin: Generated<Flag>
  created_at: string
}

export interface FacilitatorPlatformTable {
  facilitator_id: number
  platform_id: number
}

export interface LoginTable {
  id: Id
  token_hash: string
  facilitator_id: number
  created_at: string
  expires_at: string
}

export interface RateLimitTable {
  key: string
  count: number
  window_ends_at: string
}

export interface CommuneTable {
  id: Id
  platform_id: number
  name: string
  name_key: string
  slug: string
  postcode: string | null
  /** Official code: INSEE (FR), NIS (BE). */
  code: string | null
  created_at: string
}

export interface VenueTable {
  id: Id
  platform_id: number
  commune_id: number
  name: string
  address: string
  accessibility: string | null
  capacity: number | null
  host_name: string | null
  host_email: string | null
  host_phone: string | null
  created_at: string
  updated_at: string
}

export interface SessionTable {
  id: Id
  platform_id: number
  date: string
  start_time: string
  end_time: string
  starts_at: string
  ends_at: string
  commune_id: number | null
  venue_id: number | null
  mode: SessionMode
  video_url: string | null
  status: SessionStatus
  notes: string | null
  moved_because: string | null
  pitch_slots: number
  uid: string
  sequence: number
  /** The SEQUENCE of the last change sent to everyone (date, time, place, mode, link, status); `sequence` also
   * rises for a CANCEL to one person. Calendar replies are judged against this one (replies/decide.ts). */
  material_sequence: Generated<number>
  /** While cancelled: the status it had before ('draft' or 'published') and when, for "Rétablir la séance". */
  cancelled_from: SessionStatus | null
  cancelled_at: string | null
  created_at: string
  updated_at: string
}

export interface AgendaItemTable {
  id: Id
  session_id: number
  position: number
  kind: 'welcome' | 'pitch' | 'break' | 'exchange' | 'end' | 'other'
  title: string
  duration_minutes: number
}

export interface HolderTable {
  id: Id
  platform_id: number
  name: string
  email: string | null
  email_key: string | null
  phone: string | null
  kind: 'resident' | 'group' | 'association' | 'other'
  commune_id: number | null
  feed_token_hash: string | null
  /** Raised when the holder's calendar feed link is replaced (the old one then answers 410). */
  feed_version: Generated<number>
  /** 1: agreed (booking form or holder's page) that referred partners receive their contact details. */
  shares_contact: Generated<Flag>
  created_at: string
  updated_at: string
}

export interface InitiativeTable {
  id: Id
  platform_id: number
  title: string
  summary: string
  domain: string | null
  needs: ColumnType<string, string | undefined, string>
  stage: string | null
  commune_id: number | null
  merged_into_id: number | null
  created_at: string
  updated_at: string
}

export interface InitiativeHolderTable {
  initiative_id: number
  holder_id: number
}

export interface PitchTable {
  id: Id
  session_id: number
  initiative_id: number
  holder_id: number
  status: PitchStatus
  position: number
  attendance_mode: 'on_site' | 'remote'
  public_title: Flag
  facilitator_message: string | null
  token_hash: string
  token_version: Generated<number>
  /** When the holder confirmed their address from the emailed link; null until then (pitches/holds.ts). */
  address_confirmed_at: string | null
  /** The end of an unconfirmed booking's hold: past it, the worker releases the booking. */
  hold_until: string | null
  /** SHA-256 of the booking form's nonce (its CSRF token) that created this booking: a double submit finds it. */
  form_nonce_hash: string | null
  /** SHA-256 of the emailed confirmation link (a personal link of its own, purpose 'pitch-confirm'). */
  confirm_token_hash: string | null
  created_at: string
  updated_at: string
}

export interface PartnerTable {
  id: Id
  platform_id: number
  name: string
  name_key: string
  kind: 'public_body' | 'local_authority' | 'association' | 'foundation' | 'other'
  themes: string
  website: string | null
  notes: string | null
  /** The platform's calendar day of the last "Je me fais remplacer" from this organisation, and how many that day. */
  delegation_day: string | null
  delegation_count: Generated<number>
  created_at: string
  updated_at: string
}

export interface ContactTable {
  id: Id
  partner_id: number
  name: string
  email: string
  email_key: string
  phone: string | null
  role: string | null
  active: Flag
  /** 1: named by a colleague's "Je me fais remplacer", not yet confirmed by a facilitator (not in the directory). */
  pending: Generated<Flag>
  feed_token_hash: string | null
  /** Raised when the personal feed link is replaced; the token is derived from it. */
  feed_version: Generated<number>
  created_at: string
  updated_at: string
}

export interface InvitationTable {
  id: Id
  session_id: number
  contact_id: number
  token_hash: string
  token_version: Generated<number>
  /** No longer read or written: every earlier link's hash is in retired_link (2026-12-02T0900). */
  previous_token_hash: string | null
  answer: Answer
  comment: string | null
  delegate_name: string | null
  delegate_email: string | null
  delegated_from_id: number | null
  /** The colleague this invitation last named ("Je me fais remplacer"), invited or not. */
  delegate_contact_id: number | null
  /** How many colleagues this invitation has named (capped). */
  delegations: Generated<number>
  answered_at: string | null
  /** 'calendar' once a calendar reply answered (replies/); nothing writes 'link'. Whether the latest answer came
   * from the calendar is answered_at === calendar_answered_at (partners/calendar-answers.ts answerSource). */
  answer_source: 'link' | 'calendar' | null
  /** The answered_at written with the last calendar answer: a later link answer moves answered_at past it. */
  calendar_answered_at: string | null
  /** A delivery-status report said the message to this address failed: when, and what it said. */
  address_failed_at: string | null
  address_failure: string | null
  invited_at: string
  reminded_at: string | null
  created_at: string
  updated_at: string
}

export interface AdviceTable {
  id: Id
  pitch_id: number
  contact_id: number | null
  partner_id: number | null
  body: string
  /** 'written': sent through an excused partner's link before the session; 'table': said at the session. */
  source: ColumnType<AdviceSource, AdviceSource | undefined, AdviceSource>
  /** Who gave it when they are not a contact (a walk-in, a name): null otherwise. */
  author_name: string | null
  recorded_by: number | null
  created_at: string
}

export type AdviceSource = 'written' | 'table'
export type Presence = 'on_site' | 'remote' | 'absent'
export type ReferralStatus = 'proposed' | 'contacted' | 'in_progress' | 'succeeded' | 'dropped'

/** Who was at a session: a contact, a holder, or a walk-in (both null; name, organisation, email) (record/). */
export interface AttendanceTable {
  id: Id
  session_id: number
  contact_id: number | null
  holder_id: number | null
  /** The organisation this presence counts for (a contact's partner, or a walk-in's known partner). */
  partner_id: number | null
  name: string | null
  organisation: string | null
  email: string | null
  presence: Presence
  recorded_by: number | null
  created_at: string
  updated_at: string
}

/** The facilitator's record of one pitch at the table (record/). */
export interface PitchRecordTable {
  pitch_id: number
  summary: string | null
  next_steps: string | null
  stage_after: string | null
  /** The initiative's stage before the pitch, kept when stage_after changed it (the journey dates the change). */
  stage_before: ColumnType<string | null, string | null | undefined, string | null>
  /** 1: "À revoir lors d'une prochaine séance"; revisit_session_id is the later session offered. */
  revisit: Generated<Flag>
  revisit_session_id: number | null
  revisit_offered_at: string | null
  /** Raised by each save: a save based on an older version is told to reload (no silent overwrite). */
  version: Generated<number>
  updated_by: number | null
  created_at: string
  updated_at: string
}

/** The facilitator's introduction to a session's minutes, before sending (minutes/). */
export interface MinutesDraftTable {
  id: Id
  session_id: number
  intro: string | null
  updated_by: number | null
  created_at: string
  updated_at: string
}

/** The facilitator's text for one pitch in the minutes, in place of the record's summary (minutes/). */
export interface MinutesPitchTextTable {
  id: Id
  session_id: number
  pitch_id: number
  text: string | null
  updated_by: number | null
  updated_at: string
}

/** One sent version of a session's minutes: the document as sent (JSON, minutes/document.ts), and to how many. */
export interface MinutesVersionTable {
  id: Id
  session_id: number
  version: number
  document: string
  partner_count: number
  holder_count: number
  sent_by: number | null
  sent_at: string
}

/** An orientation of an initiative to a partner organisation, followed until it leads somewhere (referrals/). */
export interface ReferralTable {
  id: Id
  pitch_id: number
  initiative_id: number
  partner_id: number
  contact_id: number | null
  subject: string
  /** 'YYYY-MM-DD': past it with no update, the partner is reminded once (reminded_at). */
  follow_up_on: string | null
  status: ColumnType<ReferralStatus, ReferralStatus | undefined, ReferralStatus>
  /** 1: the holder agreed that this partner receives their contact details. */
  share_contact: Generated<Flag>
  /** The partner's personal link (SHA-256 of the derived token, as invitations). */
  token_hash: string
  token_version: Generated<number>
  reminded_at: string | null
  created_by: number | null
  created_at: string
  updated_at: string
}

/** A referral's dated history: a status change and/or a note, and who made it (referrals/). */
export interface ReferralEventTable {
  id: Id
  referral_id: number
  status: ReferralStatus | null
  note: string | null
  by_kind: 'facilitator' | 'partner' | 'holder'
  by_facilitator_id: number | null
  by_contact_id: number | null
  by_name: string | null
  created_at: string
}

export interface OutboxTable {
  id: Id
  kind: string
  platform_id: number | null
  session_id: number | null
  thread_key: string | null
  dedupe_key: string | null
  to_name: string
  to_email: string
  subject: string
  text_body: string
  html_body: string
  ical_method: 'REQUEST' | 'CANCEL' | null
  ical: string | null
  message_id: string
  status: OutboxStatus
  attempts: number
  next_attempt_at: string
  lease_until: string | null
  last_error: string | null
  sent_at: string | null
  created_at: string
}

/** Earlier dates of a session that moved: their URLs redirect to it (sessions/). */
export interface SessionAliasTable {
  platform_id: number
  date: string
  session_id: number
  created_at: string
}

/** One-time links of facilitator accounts: password reset (1 h) and invitation (7 days) (platforms/). */
export interface FacilitatorTokenTable {
  id: Id
  purpose: 'reset' | 'invitation'
  facilitator_id: number | null
  platform_id: number | null
  email: string
  name: string
  invited_by: number | null
  token_hash: string
  created_at: string
  expires_at: string
  used_at: string | null
}

/** Two-factor login of an account (platforms/totp*.ts): the secret encrypted, the last step accepted. */
export interface FacilitatorTotpTable {
  facilitator_id: number
  secret_box: string
  last_counter: number | null
  enabled_at: string
}

/** Recovery codes of two-factor login: SHA-256 only, each used once. */
export interface FacilitatorRecoveryCodeTable {
  id: Id
  facilitator_id: number
  code_hash: string
  used_at: string | null
}

/** Hashes of personal links that no longer open anything, so they answer 410 (web/personal-links.ts). */
export interface RetiredLinkTable {
  token_hash: string
  purpose: string
  platform_id: number
  reason: 'replaced' | 'revoked'
  retired_at: string
}

/** A facilitator's target for one indicator of a platform's year (indicators/). No row: no target. */
export interface TargetTable {
  id: Id
  platform_id: number
  year: number
  /** A report.json field name: 'sessionsHeld', 'pitches', … (indicators/keys.ts). */
  indicator: string
  value: number
  updated_by: number | null
  updated_at: string
}

/** One message the calendar-replies poller looked at, once per mailbox and Message-ID (replies/). */
export interface CalendarReplyTable {
  id: Id
  mailbox: string
  message_id: string
  imap_uid: number | null
  kind: 'reply' | 'bounce' | 'other'
  outcome: 'applied' | 'stale' | 'older' | 'unmatched' | 'failing'
  reason: string | null
  platform_id: number | null
  session_id: number | null
  invitation_id: number | null
  attendee_email: string | null
  partstat: string | null
  sequence: number | null
  dtstamp: string | null
  from_address: string | null
  subject: string | null
  received_at: string | null
  moved: Generated<Flag>
  processed_at: string
}

/** The calendar-replies poller's state per mailbox (replies/). */
export interface CalendarReplyStateTable {
  mailbox: string
  uid_validity: string | null
  last_uid: Generated<number>
  last_attempt_at: string | null
  last_success_at: string | null
  last_error: string | null
  failures: Generated<number>
  next_attempt_at: string | null
}

/** Raised by database triggers whenever a platform's public pages or feeds change (see page-cache.ts). */
export interface ContentVersionTable {
  platform_id: number
  version: number
}

/** What facilitators and operators did with personal data; never the data itself (audit/). */
export interface AuditEventTable {
  id: Id
  platform_id: number | null
  actor_kind: 'facilitator' | 'operator' | 'system' | 'person'
  actor_facilitator_id: number | null
  /** 'person.export', 'person.erase', 'person.search', … */
  action: string
  /** Rows acted upon, by table and id ("holder:12 contact:7"), never a name or an address. */
  subject: string | null
  /** JSON of counts. */
  detail: string | null
  address: string | null
  created_at: string
}

/** The next run of the retention job on a platform, announced a week before (privacy/retention.ts). */
export interface RetentionRunTable {
  platform_id: number
  /** Who had no activity since this instant is erased at the run. */
  cutoff: string
  run_at: string
  announced_at: string
  holders: Generated<number>
  contacts: Generated<number>
  others: Generated<number>
  done_at: string | null
}

export interface Database {
  platform: PlatformTable
  facilitator: FacilitatorTable
  facilitator_platform: FacilitatorPlatformTable
  login: LoginTable
  rate_limit: RateLimitTable
  commune: CommuneTable
  venue: VenueTable
  session: SessionTable
  agenda_item: AgendaItemTable
  holder: HolderTable
  initiative: InitiativeTable
  initiative_holder: InitiativeHolderTable
  pitch: PitchTable
  partner: PartnerTable
  contact: ContactTable
  invitation: InvitationTable
  advice: AdviceTable
  outbox: OutboxTable
  content_version: ContentVersionTable
  retired_link: RetiredLinkTable
  session_alias: SessionAliasTable
  facilitator_token: FacilitatorTokenTable
  facilitator_totp: FacilitatorTotpTable
  facilitator_recovery_code: FacilitatorRecoveryCodeTable
  attendance: AttendanceTable
  pitch_record: PitchRecordTable
  minutes_draft: MinutesDraftTable
  minutes_pitch_text: MinutesPitchTextTable
  minutes_version: MinutesVersionTable
  referral: ReferralTable
  referral_event: ReferralEventTable
  calendar_reply: CalendarReplyTable
  calendar_reply_state: CalendarReplyStateTable
  target: TargetTable
  audit_event: AuditEventTable
  retention_run: RetentionRunTable
}

export type Db = Kysely<Database>

export type Platform = Selectable<PlatformTable>
export type Facilitator = Selectable<FacilitatorTable>
export type Commune = Selectable<CommuneTable>
export type Venue = Selectable<VenueTable>
export type Session = Selectable<SessionTable>
export type NewSession = Insertable<SessionTable>
export type SessionUpdate = Updateable<SessionTable>
export type Holder = Selectable<HolderTable>
export type Initiative = Selectable<InitiativeTable>
export type Pitch = Selectable<PitchTable>
export type Partner = Selectable<PartnerTable>
export type Contact = Selectable<ContactTable>
export type Invitation = Selectable<InvitationTable>
export type OutboxRow = Selectable<OutboxTable>
export type Attendance = Selectable<AttendanceTable>
export type PitchRecord = Selectable<PitchRecordTable>
export type MinutesVersion = Selectable<MinutesVersionTable>
export type Referral = Selectable<ReferralTable>
