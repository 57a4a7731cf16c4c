import { ConfigError, loadConfig } from '../src/config.js'
import { systemClock } from '../src/context.js'
import { createDatabase } from '../src/db/index.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { startMailWorker, type WorkerLog } from '../src/mail/worker.js'
import { backgroundTick } from '../src/background.js'
import { createViews } from '../src/web/views.js'

// `npm run mail:work`: the mail worker alone, for a deployment that runs it beside (or instead of) the one
// `npm start` runs. Several workers are safe: each claims its own rows.

// One JSON line per event, like the app's own logs.
function line(level: string) {
  return (obj: object, msg?: string) => {
    const entry = { level, time: new Date().toISOString(), msg, ...serialise(obj) }
    ;(level === 'error' ? console.error : console.log)(JSON.stringify(entry))
  }
}

function serialise(obj: object): object {
  const err = (obj as { err?: unknown }).err
  return err instanceof Error ? { ...obj, err: { message: err.message, code: (err as { code?: string }).code } } : obj
}

const log: WorkerLog = { info: line('info'), warn: line('warn'), error: line('error') }

async function main() {
  const config = loadConfig()
  const db = createDatabase(config)
  await migrateToLatest(db)
  // The same beat as in the app process: reminders are queued, then due mail is delivered.
  const worker = startMailWorker({ config, db, clock: systemClock, views: createViews() }, { log, onTick: backgroundTick })

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'mail worker stopping')
    await worker.stop()
    await db.destroy()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((error) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error)
  process.exit(1)
})
