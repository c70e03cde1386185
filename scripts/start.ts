import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { dropUnwritableOutput } from '../lib/log'

const HELP = `Usage: npm start [-- --port N] [-- --dev] [-- --rebuild]

Builds the app if no build exists, applies migrations, and serves ingest and
the dashboard in one process on the embedded ClickHouse engine (data in
STALEWATCH_DATA_DIR, default ./data), or on the server at CLICKHOUSE_URL.

Options:
  --port N     port to listen on (default: PORT or 3000)
  --host H     address to bind (default 0.0.0.0)
  --dev        run Next.js in development mode (no build)
  --rebuild    run next build even if a build exists
  --help       this text

Environment (see README.md and docs/security.md):
  PORT, STALEWATCH_DATA_DIR, STALEWATCH_ADMIN_TOKEN, STALEWATCH_ADMIN_PASSWORD,
  STALEWATCH_METRICS_TOKEN, STALEWATCH_PUBLIC_URL, STALEWATCH_RETENTION_DAYS,
  CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, CLICKHOUSE_DATABASE,
  CLICKHOUSE_CLUSTER,
  STALEWATCH_INGEST_ACK (logged | stored), STALEWATCH_INGEST_LOG_DIR,
  STALEWATCH_INGEST_LOG_FSYNC, STALEWATCH_MIN_FREE_DISK_BYTES, STALEWATCH_SHED_LOOP_DELAY_MS,
  STALEWATCH_FLUSH_MAX_ROWS, STALEWATCH_FLUSH_MAX_WAIT_MS, STALEWATCH_BUFFER_MAX_ROWS,
  STALEWATCH_ACK_TIMEOUT_MS, STALEWATCH_STALL_TIMEOUT_MS, UV_THREADPOOL_SIZE (16 via npm start),
  STALEWATCH_TRUST_PROXY, STALEWATCH_RATE_PER_KEY, STALEWATCH_BURST_PER_KEY,
  STALEWATCH_RATE_PER_IP, STALEWATCH_BURST_PER_IP, STALEWATCH_RATE_LIMIT_LOOPBACK,
  STALEWATCH_MAX_VERSIONS_PER_PROJECT, STALEWATCH_BACKGROUND_JOBS (0 on all but
  one node of a multi-node deployment), STALEWATCH_LOG_LEVEL, OTEL_EXPORTER_OTLP_*.
See README.md.`

/** Longer than the ingest log's 10 s of trying to store what it holds, shorter than a typical supervisor's grace period. */
const SHUTDOWN_DEADLINE_MS = 30_000

async function main(): Promise<void> {
  // Before anything is printed: a closed stdout must not crash or spin the server.
  dropUnwritableOutput()
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      dev: { type: 'boolean', default: false },
      rebuild: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(HELP)
    return
  }
  if (values.port) process.env.PORT = values.port

  if (!values.dev && (values.rebuild || !existsSync(path.resolve(process.env.STALEWATCH_NEXT_DIST_DIR || '.next', 'BUILD_ID')))) {
    console.log('No build found: building the SDK and the app (once; about a minute)…')
    const { buildSdk } = await import('../sdk/scripts/build')
    await buildSdk()
    const build = spawnSync(process.execPath, [path.resolve('node_modules/next/dist/bin/next'), 'build'], { stdio: 'inherit' })
    if (build.status !== 0) {
      console.error('next build failed; see the output above.')
      process.exit(1)
    }
  }

  // Imported after the build so nothing opens the engine while next build runs.
  const { config } = await import('../lib/config')
  const { ensureAdminToken, adminTokenFile } = await import('../lib/auth/admin-token')
  const { startServer } = await import('../server')
  const c = config()
  const token = ensureAdminToken()
  const server = await startServer({ port: c.port, hostname: values.host, dev: values.dev })

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.log(`${signal}: stopping; storing buffered events first…`)
    // A supervisor would SIGKILL a server that never exits; exit on our own
    // instead, naming the step that hung. Nothing acknowledged is lost by it:
    // with the ingest log it is replayed at the next start, and with
    // acknowledgement after the insert it is stored already.
    setTimeout(() => {
      console.error(`${signal}: shutdown still ${server.closingStep() ?? 'finishing'} after ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting now`)
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS).unref()
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('shutdown failed:', error instanceof Error ? error.message : error)
        process.exit(1)
      },
    )
  }
  // Before the ready line: a supervisor may signal as soon as it reads it, and
  // a signal with no listener yet kills the process outright.
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))

  console.log(`\nStalewatch is serving at ${server.url}`)
  console.log(`  storage: ${c.clickhouseUrl ? 'ClickHouse server (CLICKHOUSE_URL)' : `embedded engine, data in ${c.dataDir}`}`)
  if (token.source === 'env') console.log('  log in with the admin token from STALEWATCH_ADMIN_TOKEN')
  else console.log(`  log in with the admin token in ${adminTokenFile()}${token.source === 'generated' ? ` (new: ${token.token})` : ''}`)
  console.log(`  fill it with demo traffic: npm run simulate -- --url ${server.url}\n`)
}

main().catch((error: unknown) => {
  console.error(`Stalewatch could not start: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
