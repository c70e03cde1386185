import { config } from '../lib/config'
import { projectByIngestKey } from '../lib/projects/project-directory'
import { catalogFor, updateAdvice } from '../lib/releases/catalog'
import type { EventRow } from './event-row'
import { writeEvents } from './event-writer'
import { GroupCommitBuffer } from './group-commit'
import { ingestMetrics } from './metrics'
import type { IngestDeps } from './pipeline'

// The one ingest buffer of this process. Kept on globalThis because the Next
// route bundle and server.ts each load their own copy of this module, and two
// buffers would mean two half-empty inserts.
const RUNTIME_KEY = Symbol.for('stalewatch.ingestRuntime')
type Holder = { [RUNTIME_KEY]?: { buffer: GroupCommitBuffer<EventRow>; deps: IngestDeps } }

export function ingestRuntime(): { buffer: GroupCommitBuffer<EventRow>; deps: IngestDeps } {
  const holder = globalThis as Holder
  if (!holder[RUNTIME_KEY]) {
    const c = config()
    const metrics = ingestMetrics()
    const buffer = new GroupCommitBuffer<EventRow>({
      write: writeEvents,
      maxRows: c.flushMaxRows,
      maxWaitMs: c.flushMaxWaitMs,
      maxBufferedRows: c.bufferMaxRows,
      onFlush: (flush) => metrics.recordFlush(flush),
    })
    const deps: IngestDeps = {
      findProject: projectByIngestKey,
      store: (rows) => buffer.add(rows),
      advise: async (projectId, version, at) => updateAdvice(await catalogFor(projectId), version, at),
      retentionDays: c.retentionDays,
    }
    holder[RUNTIME_KEY] = { buffer, deps }
  }
  return holder[RUNTIME_KEY]
}

/** Flushes and stops the buffer (SIGTERM). */
export async function closeIngest(): Promise<void> {
  const holder = globalThis as Holder
  const runtime = holder[RUNTIME_KEY]
  if (!runtime) return
  await runtime.buffer.close()
  delete holder[RUNTIME_KEY]
}
