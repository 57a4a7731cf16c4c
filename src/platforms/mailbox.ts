// A platform's own ORGANIZER mailbox (tracker 23), as its settings page takes it (pure): an IMAP URL
// imap(s)://user@host[:port][/FOLDER] and, apart, its password. A password typed inside the URL is taken out of
// it (the URL is stored and shown without it; the password is sealed, web/secret-box.ts, and never shown back).

/** The secret box purpose of the mailbox passwords. */
export const MAILBOX_SECRET_PURPOSE = 'reply-imap'

export type MailboxUrl = { ok: true; url: string; password: string | null } | { ok: false; message: string }

export function parseMailboxUrl(input: string): MailboxUrl {
  let u: URL
  try {
    u = new URL(input.trim())
  } catch {
    return { ok: false, message: 'Adresse de boîte invalide : par exemple imaps://contact%40asso.org@imap.example.org:993/INBOX.' }
  }
  if (u.protocol !== 'imaps:' && u.protocol !== 'imap:') return { ok: false, message: 'L’adresse commence par imaps:// (ou imap:// sur un réseau de confiance).' }
  if (!u.hostname) return { ok: false, message: 'Indiquez le serveur, par exemple imap.example.org.' }
  if (!u.username) return { ok: false, message: 'Indiquez l’identifiant de la boîte avant le serveur (user@serveur ; écrivez %40 pour un @ de l’identifiant).' }
  if (u.search || u.hash) return { ok: false, message: 'L’adresse ne prend ni « ? » ni « # ».' }
  const password = u.password ? decodeURIComponent(u.password) : null
  u.password = ''
  return { ok: true, url: u.toString().replace(/\/$/, ''), password }
}

/** The URL the poller connects to: the stored one with its password put back in. */
export function withPassword(url: string, password: string): string {
  const u = new URL(url)
  u.password = encodeURIComponent(password)
  return u.toString()
}

/** How the settings page names the mailbox: user@host, without anything secret. */
export function mailboxLabel(url: string): string {
  const u = new URL(url)
  return `${decodeURIComponent(u.username)} sur ${u.hostname}`
}
