import type { Platform } from '../../src/db/schema.js'

/** The platform's settings form (Réglages) as a browser submits it unchanged, with these fields changed. */
export function settingsValues(p: Platform, change: Record<string, string>): Record<string, string> {
  return {
    name: p.name, contact_name: p.contact_name ?? '', contact_email: p.contact_email, contact_phone: '', default_video_url: '',
    default_start: p.default_start, default_end: p.default_end, rrule: p.rrule, booking_mode: p.booking_mode,
    booking_close_days: String(p.booking_close_days), booking_hold_hours: '48', reminder_days: p.reminder_days,
    privacy_notice: '', retention_months: '36', reply_imap_url: '', reply_imap_password: '', ...change,
  }
}
