import { createInterface } from 'node:readline'
import { SMTPServer } from 'smtp-server'

// The mail bench's SMTP peer, in its own process: a real smtp-server that accepts every message and discards
// it (the relay at its fastest). It prints `ready <port>`; after `expect N` on stdin it counts the messages
// accepted from then on and prints `done N <first> <last>` (epoch milliseconds, fractional) when the Nth is
// accepted; `count` prints `count N`.

const now = () => performance.timeOrigin + performance.now()
let expected = Infinity
let accepted = 0
let first = 0
let last = 0

const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined)
    stream.on('end', () => {
      callback()
      last = now()
      if (accepted++ === 0) first = last
      if (accepted === expected) process.stdout.write(`done ${accepted} ${first} ${last}\n`)
    })
  },
})
server.on('error', (error) => process.stderr.write(`smtp peer: ${String(error)}\n`))

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  const address = server.server.address()
  process.stdout.write(`ready ${typeof address === 'object' && address ? address.port : 0}\n`)
})

createInterface({ input: process.stdin }).on('line', (line) => {
  const [command, n] = line.trim().split(/\s+/)
  if (command === 'expect') {
    expected = Number(n)
    accepted = 0
  } else if (command === 'count') {
    process.stdout.write(`count ${accepted}\n`)
  }
}).on('close', () => process.exit(0))
