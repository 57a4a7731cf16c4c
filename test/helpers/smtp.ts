import { createServer, type Server, type Socket } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer, type SMTPServerAddress, type SMTPServerEnvelope } from 'smtp-server'

// A real SMTP server on 127.0.0.1 for tests: it keeps what it receives (envelope, parsed MIME, raw bytes)
// and can refuse recipients with any reply code. `neverGreets` is a plain TCP server that stays silent.

export interface ReceivedMail {
  envelope: SMTPServerEnvelope
  parsed: ParsedMail
  raw: Buffer
}

export type Failure = (rcpt: SMTPServerAddress) => { code: number; message: string } | null

export interface SmtpPeer {
  url: string
  port: number
  messages: ReceivedMail[]
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedMail[]>
  setFailure(fn: Failure | null): void
  close(): Promise<void>
}

export async function startSmtpPeer(opts: { failWith?: Failure | null; neverGreet?: boolean; port?: number } = {}): Promise<SmtpPeer> {
  return opts.neverGreet ? silentPeer(opts.port ?? 0) : smtpPeer(opts.failWith ?? null, opts.port ?? 0)
}

async function smtpPeer(initialFailure: Failure | null, port: number): Promise<SmtpPeer> {
  const messages: ReceivedMail[] = []
  let failure = initialFailure
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const refusal = failure?.(address)
      if (refusal) return callback(Object.assign(new Error(refusal.message), { responseCode: refusal.code }))
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        simpleParser(raw).then((parsed) => {
          messages.push({ envelope: structuredClone(session.envelope), parsed, raw })
          callback()
        }, callback)
      })
    },
  })
  const bound = await listen(server.server as Server, port)
  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    messages,
    waitFor: (n, timeoutMs = 5000) => waitUntil(() => messages.length >= n, timeoutMs).then(() => messages),
    setFailure(fn) {
      failure = fn
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function silentPeer(port: number): Promise<SmtpPeer> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('close', () => sockets.delete(socket))
  })
  const bound = await listen(server, port)
  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    messages: [],
    waitFor: () => Promise.reject(new Error('this peer never greets, so it never receives anything')),
    setFailure: () => undefined,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : port)
    })
  })
}

/** A port nothing listens on (bound, read, released). */
export async function freePort(): Promise<number> {
  const server = createServer()
  const port = await listen(server, 0)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function waitUntil(test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
