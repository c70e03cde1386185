import { readSetting } from './config'

// A small structured logger. Messages and fields only: callers never pass
// secrets (tokens, keys, passwords, connection URLs with credentials).

type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent'
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 }

function threshold(): number {
  // Read on each line, so a process (or a test) that changes the level is
  // heard at once. A bad value is reported by whoever loads the whole
  // configuration: log at the default meanwhile.
  let level: Level = 'info'
  try {
    level = readSetting('logLevel')
  } catch {
    // level stays info
  }
  return order[level]
}

function write(level: Exclude<Level, 'silent'>, message: string, fields?: Record<string, unknown>): void {
  if (order[level] < threshold()) return
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })
  if (level === 'error' || level === 'warn') process.stderr.write(line + '\n')
  else process.stdout.write(line + '\n')
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write('error', message, fields),
}

let outputGuarded = false

/**
 * Drops what cannot be written to stdout or stderr (a pipe whose reader is
 * gone, /dev/full) instead of letting it stop or spin the process. A failed
 * write to either is an 'error' event on the stream; with no listener it
 * becomes an uncaught exception, which crashes the process before Next.js is
 * up and, after, goes to Next.js's uncaughtException handler, which logs it to
 * stderr: with stderr broken too that fails again, and again, each from the
 * next tick, so the event loop never gets to the SIGTERM shutdown (100 % CPU).
 * Call once, first thing, in the process's entry point.
 */
export function dropUnwritableOutput(): void {
  if (outputGuarded) return
  outputGuarded = true
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {})
}

/** The message of an unknown thrown value, for logs (never for HTTP answers). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
