import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdtempSync, openSync } from 'node:fs'
import net, { type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ensureAppBuild } from './support/app-build'
import { killHard } from './support/app-load'
import { startApp } from './support/app-server'

// The whole product in a child process, as `npm start` runs it, with an
// output nobody can write to any more: it must still serve and still stop
// cleanly on SIGTERM (it used to spin at 100 % CPU, or die at start-up).

const root = path.resolve(import.meta.dirname, '..')
/** Generous: a clean shutdown takes a second or two; this only keeps a spinning process from hanging the test. */
const EXIT_BOUND_MS = 60_000

/** The exit code, or a text saying the process is still running after the bound. */
function exitCode(child: ChildProcess): Promise<number | null | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode)
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(`still running ${EXIT_BOUND_MS / 1000} s after SIGTERM`), EXIT_BOUND_MS)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve(code ?? signal)
    })
  })
}

async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('the app process with a broken stdout', () => {
  it('exits 0 on SIGTERM after the reader of its stdout and stderr has gone', async () => {
    const app = await startApp()
    try {
      // As when whatever read the server's output (a supervisor, `| tee`) dies.
      app.process.stdout!.destroy()
      app.process.stderr!.destroy()
      app.process.kill('SIGTERM')
      expect(await exitCode(app.process)).toBe(0)
    } finally {
      await killHard(app)
    }
  }, 240_000)

  it('serves and exits 0 on SIGTERM with stdout on a full device', async () => {
    await ensureAppBuild()
    const port = await freePort()
    const full = openSync('/dev/full', 'w')
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: root,
      env: {
        ...process.env,
        STALEWATCH_LOG_LEVEL: 'info',
        NEXT_TELEMETRY_DISABLED: '1',
        UV_THREADPOOL_SIZE: '16',
        STALEWATCH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'stalewatch-app-')),
        STALEWATCH_ADMIN_TOKEN: 'swa_test_broken_output_0123456789',
        CLICKHOUSE_URL: '',
      },
      // Every write to /dev/full fails with ENOSPC.
      stdio: ['ignore', full, 'pipe'],
    })
    closeSync(full)
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    try {
      // Serving: its log lines (startup, migrations) were lost, not fatal.
      await expect
        .poll(
          async () => {
            if (child.exitCode !== null) return `exited with ${child.exitCode}:\n${stderr}`
            return (await fetch(`http://127.0.0.1:${port}/login`).catch(() => undefined))?.status
          },
          { timeout: 120_000, interval: 500 },
        )
        .toBe(200)
      child.kill('SIGTERM')
      expect(await exitCode(child), stderr).toBe(0)
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    }
  }, 240_000)
})
