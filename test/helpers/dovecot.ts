import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'

// A throw-away Dovecot for tests: its own configuration (nothing of /etc/dovecot is read), plain login on a
// loopback port, one passwd-file user whose Maildir lives in a temp folder, and every runtime file (base_dir,
// state_dir, log) in that folder too. Dovecot refuses to run mail as UID 0, so the user gets the `dovecot`
// account's uid/gid; the master itself runs as root (the CI runs as root) in the foreground.

const DOVECOT = '/usr/sbin/dovecot'

/** Dovecot can run here: the binary, and root (it drops to the `dovecot` user for mail). */
function dovecotAvailable(): boolean {
  return existsSync(DOVECOT) && process.getuid?.() === 0
}

/** Mailboxes one server can hand out (one per test). */
const USERS = 100

/** In CI a missing Dovecot fails the tests instead of skipping them (like Chromium, test/e2e/browser.ts). */
export function skipWithoutDovecot(): boolean {
  if (dovecotAvailable()) return false
  if (process.env.CI) throw new Error(`Dovecot not found at ${DOVECOT} or not root (CI=${process.env.CI}): apt-get install -y dovecot-imapd`)
  return true
}

/** One user's mailbox on the server: each test takes its own, so no test sees another's messages. */
export interface TestMailbox {
  user: string
  password: string
  /** imap://user:password@127.0.0.1:port/INBOX, as REPLY_IMAP_URL takes it. */
  url: string
  /** Puts a raw message in a folder (IMAP APPEND), as a mail server delivering it would. */
  append(raw: string | Buffer, folder?: string): Promise<void>
  /** A folder's messages (none if it does not exist): UID, Message-ID and whether it is flagged \Seen. */
  list(folder?: string): Promise<Array<{ uid: number; messageId: string; seen: boolean }>>
}

export interface TestDovecot {
  /** A new user with an empty Maildir. */
  mailbox(): Promise<TestMailbox>
  /** Stops the server (the port refuses connections); start() brings it back on the same port and Maildirs. */
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once the port greets like an IMAP server ("* OK"); rejects if the process exits first. */
function waitForGreeting(port: number, child: ChildProcess, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false
    const onExit = (code: number | null) => {
      if (done) return
      done = true
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : ''
      reject(new Error(`dovecot exited (${code}) before listening: ${log}`))
    }
    child.once('exit', onExit)
    const attempt = () => {
      if (done) return
      const socket = connect(port, '127.0.0.1')
      socket.once('data', (chunk) => {
        socket.destroy()
        if (done) return
        if (chunk.toString().startsWith('* OK')) {
          done = true
          child.off('exit', onExit)
          resolve()
        } else setImmediate(attempt)
      })
      // Not listening yet: try again as soon as the event loop turns (connection refused is immediate).
      socket.once('error', () => { socket.destroy(); setTimeout(attempt, 20) })
    }
    attempt()
  })
}

export async function startDovecot(): Promise<TestDovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'fabrik-dovecot-'))
  chmodSync(dir, 0o755)
  const uid = Number(execFileSync('id', ['-u', 'dovecot']).toString().trim())
  const gid = Number(execFileSync('id', ['-g', 'dovecot']).toString().trim())
  const port = await freePort()
  const runDir = join(dir, 'run')
  const usersFile = join(dir, 'users')
  mkdirSync(runDir, { recursive: true })
  mkdirSync(join(dir, 'state'), { recursive: true })
  const logFile = join(dir, 'dovecot.log')
  // Every user is written before the server starts: Dovecot re-reads a passwd-file at most once a second, so a
  // user added while it runs was sometimes refused ("Authentication failed") by a login in the same second.
  const account = (n: number) => ({ user: `organizer${n}`, password: `imap-password-${n}`, home: join(dir, 'home', `organizer${n}`) })
  writeFileSync(usersFile, Array.from({ length: USERS }, (_, i) => {
    const a = account(i + 1)
    return `${a.user}:{PLAIN}${a.password}:${uid}:${gid}::${a.home}\n`
  }).join(''))
  const conf = join(dir, 'dovecot.conf')
  writeFileSync(conf, [
    'protocols = imap',
    `listen = 127.0.0.1`,
    `base_dir = ${runDir}`,
    `state_dir = ${join(dir, 'state')}`,
    `log_path = ${logFile}`,
    `info_log_path = ${logFile}`,
    'ssl = no',
    'disable_plaintext_auth = no',
    'auth_mechanisms = plain login',
    `first_valid_uid = ${uid}`,
    `last_valid_uid = ${uid}`,
    `first_valid_gid = ${gid}`,
    'default_internal_user = dovecot',
    'default_login_user = dovecot',
    'mail_location = maildir:~/Maildir',
    'namespace inbox {',
    '  inbox = yes',
    '  separator = /',
    '}',
    'passdb {',
    '  driver = passwd-file',
    `  args = scheme=PLAIN ${usersFile}`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = ${usersFile}`,
    '}',
    'service imap-login {',
    '  chroot =',
    '  inet_listener imap {',
    `    address = 127.0.0.1`,
    `    port = ${port}`,
    '  }',
    '  inet_listener imaps {',
    '    port = 0',
    '  }',
    '}',
    'service anvil {',
    '  chroot =',
    '}',
    'service stats {',
    '  unix_listener stats-writer {',
    '    mode = 0666',
    '  }',
    '}',
    '',
  ].join('\n'))

  let child: ChildProcess | null = null
  const start = async () => {
    child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: 'ignore' })
    await waitForGreeting(port, child, logFile)
  }
  const stop = async () => {
    const c = child
    child = null
    if (!c || c.exitCode !== null) return
    await new Promise<void>((resolve) => { c.once('exit', () => resolve()); c.kill('SIGTERM') })
  }

  let users = 0
  const mailbox = async (): Promise<TestMailbox> => {
    if (users === USERS) throw new Error(`startDovecot: more than ${USERS} mailboxes`)
    const { user, password, home } = account(++users)
    mkdirSync(home, { recursive: true })
    chownSync(home, uid, gid)
    const client = async <T>(fn: (imap: ImapFlow) => Promise<T>): Promise<T> => {
      const imap = new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false })
      await imap.connect()
      try {
        return await fn(imap)
      } finally {
        await imap.logout().catch(() => undefined)
      }
    }
    return {
      user, password,
      url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
      append: (raw, folder = 'INBOX') => client(async (imap) => {
        if (folder !== 'INBOX') await imap.mailboxCreate(folder)
        await imap.append(folder, raw)
      }),
      list: (folder = 'INBOX') => client(async (imap) => {
        if (!(await imap.list()).some((m) => m.path === folder)) return []
        const lock = await imap.getMailboxLock(folder)
        try {
          const out: Array<{ uid: number; messageId: string; seen: boolean }> = []
          if ((imap.mailbox as { exists: number }).exists === 0) return out
          for await (const m of imap.fetch('1:*', { uid: true, flags: true, envelope: true })) {
            out.push({ uid: m.uid, messageId: m.envelope?.messageId ?? '', seen: m.flags?.has('\\Seen') ?? false })
          }
          return out
        } finally {
          lock.release()
        }
      }),
    }
  }

  await start()
  return {
    mailbox,
    stop,
    start,
    async close() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
