import { fork, type ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

// Bench children (servers under test, the load generator): TypeScript run by
// tsx in their own process, spoken to over IPC one request at a time.

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface BenchChild<Ready> {
  process: ChildProcess
  ready: Ready
  /** Sends a message and resolves with the next message of type `replyType`. */
  ask: <T>(message: object, replyType: string) => Promise<T>
  stop: () => Promise<void>
  /** Peak RSS in bytes since the last resetPeak() (VmHWM), or undefined off Linux. */
  peakRss: () => number | undefined
  resetPeak: () => void
  /** CPU time (user + system) the process has used, in seconds, or undefined off Linux. */
  cpuSeconds: () => number | undefined
  /** CPU time of its main thread alone (the JavaScript event loop), in seconds, or undefined off Linux. */
  mainThreadCpuSeconds: () => number | undefined
}

/** utime + stime of a /proc stat file, in seconds (clock ticks of 100 Hz on Linux); undefined when it cannot be read. */
function statCpuSeconds(file: string): number | undefined {
  try {
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    const fields = readFileSync(file, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** `root`: the checkout whose script runs, this one by default (a baseline build's, for an A/B run). */
export async function startChild<Ready>(script: string, env: Record<string, string>, execArgv: string[] = [], timeoutMs = 180_000, root = repoRoot): Promise<BenchChild<Ready>> {
  const child = fork(path.join(root, script), [], {
    cwd: root,
    execArgv: [...execArgv, '--import', 'tsx'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', STALEWATCH_LOG_LEVEL: 'warn', UV_THREADPOOL_SIZE: '16', ...env },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in ${timeoutMs / 1000} s:\n${stderr}`)), timeoutMs)
    child.on('message', (message: { type: string }) => {
      if (message.type === 'ready') {
        clearTimeout(timer)
        resolve(message as Ready)
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${script} exited with ${code} before it was ready:\n${stderr}`))
    })
  })
  const ask = <T>(message: object, replyType: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { type: string; message?: string }) => {
        if (reply.type === replyType || reply.type === 'error') {
          child.off('message', onMessage)
          if (reply.type === 'error') reject(new Error(`${script}: ${reply.message}`))
          else resolve(reply as T)
        }
      }
      child.on('message', onMessage)
      child.send(message)
    })
  const status = `/proc/${child.pid}/status`
  return {
    process: child,
    ready,
    ask,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.send({ type: 'stop' })
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000)
        await exited
        clearTimeout(timer)
      }
    },
    peakRss: () => {
      try {
        const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'))
        return kb ? Number(kb[1]) * 1024 : undefined
      } catch {
        return undefined
      }
    },
    cpuSeconds: () => statCpuSeconds(`/proc/${child.pid}/stat`),
    // The main thread's task id is the process id.
    mainThreadCpuSeconds: () => statCpuSeconds(`/proc/${child.pid}/task/${child.pid}/stat`),
    resetPeak: () => {
      // "5" resets the peak RSS the kernel reports as VmHWM (Linux ≥ 4.0).
      try {
        writeFileSync(`/proc/${child.pid}/clear_refs`, '5')
      } catch {
        // Not Linux, or not allowed: peaks then span the whole run.
      }
    },
  }
}
