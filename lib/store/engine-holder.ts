import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'

// chDB allows one process per data directory: the engine holds an exclusive
// flock on <data dir>/status while it is open. A second process (a CLI)
// asks here first, so it can refuse by name instead of failing inside the
// engine. Linux only (/proc/locks); elsewhere the answer is "unknown" and the
// engine's own refusal is the check.

/** The pid holding the embedded engine's data directory, null if none, undefined if this system cannot tell. */
export function engineHolder(dataDir: string): number | null | undefined {
  let status: { dev: number; ino: number }
  try {
    status = statSync(path.join(dataDir, 'status'))
  } catch {
    return null
  }
  let locks: string
  try {
    locks = readFileSync('/proc/locks', 'utf8')
  } catch {
    return undefined
  }
  // Linux's encoding of a device number, as /proc/locks prints it (hex major:minor).
  const major = ((status.dev >> 8) & 0xfff).toString(16).padStart(2, '0')
  const minor = ((status.dev & 0xff) | ((status.dev >> 12) & 0xfff00)).toString(16).padStart(2, '0')
  for (const line of locks.split('\n')) {
    const m = /^\d+:\s+FLOCK\s+\S+\s+\S+\s+(\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s/.exec(line)
    if (m && m[2] === major && m[3] === minor && Number(m[4]) === status.ino) return Number(m[1])
  }
  return null
}
