import { readdirSync, readFileSync } from 'node:fs'
import type { RunningApp } from './app-server'
import { envelope, heartbeat } from './envelopes'

// Load on a whole app process, and crashing it, for the tests that check no
// acknowledged event is lost.

export interface Load {
  acknowledged: Set<string>
  stop: () => Promise<void>
}

/** Concurrent senders of 20-event batches; an event counts as acknowledged only when its request got a 200. */
export function driveLoad(app: RunningApp, key: string, senders = 6): Load {
  const acknowledged = new Set<string>()
  let running = true
  const loops = Array.from({ length: senders }, async () => {
    while (running) {
      const now = Date.now()
      const batch = envelope(key, 'v1', Array.from({ length: 20 }, () => heartbeat(now)))
      try {
        const response = await fetch(`${app.url}/api/ingest`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(batch) })
        await response.arrayBuffer()
        if (response.status === 200) for (const e of batch.events) acknowledged.add(e.id)
      } catch {
        // The server went away mid-request: not acknowledged.
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  })
  return {
    acknowledged,
    stop: async () => {
      running = false
      await Promise.all(loops)
    },
  }
}

export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The pids of a process and all its descendants, from /proc (tsx runs the server in a child of the process startApp spawned). */
function processTree(root: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {
      // The process ended while we looked.
    }
  }
  const tree = [root]
  for (let i = 0; i < tree.length; i++) tree.push(...(parents.get(tree[i]!) ?? []))
  return tree
}

/** SIGKILL the server itself (not only its tsx launcher), as a crash or the OOM killer would. */
export async function killHard(app: RunningApp): Promise<void> {
  const pids = processTree(app.process.pid!)
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
  await app.stop()
}

