import { readFileSync } from 'node:fs'

// Fault injection for `npm run soak` and operators' drills, OFF unless
// STALEWATCH_FAULT_FILE names a file (docs/security.md). Before each insert
// the writer reads that file: "down" fails the insert as an unreachable
// ClickHouse would; "stall" holds it until the file changes. Before each
// append the ingest log reads it too: "disk-full" makes the append write part
// of its bytes and fail with ENOSPC, as a full disk does. Absent file or any
// other content: no fault. The real writer runs in every case otherwise.

export type Fault = 'down' | 'stall' | 'disk-full' | null

function readFault(file: string): Fault {
  try {
    const content = readFileSync(file, 'utf8').trim()
    return content === 'down' || content === 'stall' || content === 'disk-full' ? content : null
  } catch {
    return null
  }
}

export function withFaultFile<Batch>(write: (batch: Batch) => Promise<void>, file: string | undefined): (batch: Batch) => Promise<void> {
  if (!file) return write
  return async (batch) => {
    if (readFault(file) === 'down') throw new Error('fault injected: storage unavailable')
    while (readFault(file) === 'stall') await new Promise((r) => setTimeout(r, 50))
    return write(batch)
  }
}

/** The ingest log's appendFault: a full disk while the file says "disk-full"; no hook at all without a fault file. */
export function diskFullFault(file: string | undefined): (() => boolean) | undefined {
  return file ? () => readFault(file) === 'disk-full' : undefined
}
