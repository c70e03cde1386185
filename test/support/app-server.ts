import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { ensureAppBuild } from './app-build'

// The whole product as users run it: `npm start`'s entry point in a child
// process, with its own data directory, on a free loopback port.

export interface RunningApp {
  url: string
  adminToken: string
  dataDir: string
  process: ChildProcess
  /** Everything the server printed, for assertions and for failure messages. */
  output: () => string
  stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

const root = path.resolve(import.meta.dirname, '../..')

export interface AppOptions {
  /** The process's limit on open files (`prlimit --nofile`), for tests of what happens near it. */
  maxOpenFiles?: number
  /** The port to serve on (0: a free one): a restart on the same data keeps its address for the tabs. */
  port?: number
}

export async function startApp(env: Record<string, string> = {}, options: AppOptions = {}): Promise<RunningApp> {
  await ensureAppBuild()
  const dataDir = env.STALEWATCH_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), 'stalewatch-app-'))
  const adminToken = env.STALEWATCH_ADMIN_TOKEN ?? `swa_test_${randomBytes(16).toString('hex')}`
  // node --import tsx, not the tsx launcher: the launcher turns a signal the
  // child is slow to acknowledge into SIGKILL, which would defeat the
  // graceful-shutdown tests.
  const command = [process.execPath, '--import', 'tsx', 'scripts/start.ts', '--port', String(options.port ?? 0), '--host', '127.0.0.1']
  // prlimit sets the limit and then runs the command in its own place (same pid, same signals).
  if (options.maxOpenFiles) command.unshift('prlimit', `--nofile=${options.maxOpenFiles}:${options.maxOpenFiles}`, '--')
  const child = spawn(command[0]!, command.slice(1), {
    cwd: root,
    env: {
      ...process.env,
      STALEWATCH_LOG_LEVEL: 'warn',
      NEXT_TELEMETRY_DISABLED: '1',
      UV_THREADPOOL_SIZE: '16',
      ...env,
      STALEWATCH_DATA_DIR: dataDir,
      STALEWATCH_ADMIN_TOKEN: adminToken,
      CLICKHOUSE_URL: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the app did not start in 120 s:\n${output}`)), 120_000)
    const check = () => {
      // Serving once the whole start banner is out (its last line names the
      // simulate command): tests that read the log from here on see none of it.
      const match = /serving at (http:\/\/\S+)/.exec(output)
      if (match && /fill it with demo traffic: .*\n/.test(output)) {
        clearTimeout(timer)
        resolve(match[1]!)
      }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the app exited with ${code} before serving:\n${output}`))
    })
  })

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return {
    url,
    adminToken,
    dataDir,
    process: child,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/** fetch with the admin bearer token. */
export function adminFetch(app: RunningApp, pathname: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  headers.set('authorization', `Bearer ${app.adminToken}`)
  if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json')
  return fetch(new URL(pathname, app.url), { ...init, headers })
}
