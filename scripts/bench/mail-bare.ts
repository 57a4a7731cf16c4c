import { readFileSync } from 'node:fs'
import nodemailer, { type SendMailOptions } from 'nodemailer'
import { smtpPoolOptions } from '../../src/mail/transport.js'

// The mail bench's bare baseline, in its own process: a nodemailer pool with the app's settings
// (transport.ts smtpPoolOptions) sending N copies of one real invitation (text, HTML, calendar part, as the
// worker would hand it over, links written in) to the SMTP peer, all handed to the pool at once. Prints
// `start <epoch ms>` as the first message is handed over and `sent N <epoch ms>` when the last is answered.
//
// usage: node mail-bare.js <smtp url> <message.json> <count>

const [url, file, countArg] = process.argv.slice(2)
const count = Number(countArg)
const sample = JSON.parse(readFileSync(file!, 'utf8')) as SendMailOptions
const now = () => performance.timeOrigin + performance.now()

async function main() {
  const transporter = nodemailer.createTransport(smtpPoolOptions(url!))
  process.stdout.write(`start ${now()}\n`)
  const sends: Array<Promise<unknown>> = []
  for (let i = 0; i < count; i++) {
    sends.push(transporter.sendMail({
      ...sample,
      to: { name: `Contact ${i} Dupré-Benali`, address: `contact.${String(i).padStart(4, '0')}@partenaire.example.org` },
      messageId: `<bare-${i}-${process.pid}@banc.example.org>`,
    }))
  }
  await Promise.all(sends)
  process.stdout.write(`sent ${count} ${now()}\n`)
  transporter.close()
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`)
  process.exit(1)
})
