import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'
import { createDatabase } from './db/index.js'
import { migrateToLatest } from './db/migrate.js'
import { startMailWorker } from './mail/worker.js'
import { backgroundTick } from './background.js'

// Process concerns only: config → database → migrate → app → listen, the mail worker, graceful shutdown.
async function main() {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(1)
    }
    throw error
  }
  const db = createDatabase(config)
  await migrateToLatest(db)
  const app = await buildApp({ config, db })
  let worker: ReturnType<typeof startMailWorker> | null = null

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.log.info({ signal }, 'shutting down')
    await worker?.stop()
    await app.close() // onClose destroys the database handle
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))

  await app.listen({ port: config.port, host: config.host })
  // Once the pages answer: its first round loads the mail transport and sends what is due.
  if (!stopping) worker = startMailWorker(app.ctx, { log: app.log, onTick: backgroundTick })
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
