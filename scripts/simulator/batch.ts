// Groups envelopes of one load into fewer, bigger requests for back-filling
// history. Sound because the server corrects each event by its request's
// clock offset: a back-fill request carries the past ts unchanged and
// sentAt = now + the client's skew, so event time = the true past time.

import type { IngestEnvelope, WireEvent } from '../../sdk/src/wire'
import { WIRE_LIMITS } from '../../sdk/src/wire'
import type { SimEnvelope } from './generator'

export interface LoadBatch {
  session: string
  load: string
  version: string
  skewMs: number
  events: WireEvent[]
}

export interface BatcherOptions {
  /** Default WIRE_LIMITS.maxEvents (100). */
  maxEvents?: number
  /** Budget for the JSON body, default 60 000 bytes (the limit is 64 KiB). */
  maxBytes?: number
}

const ENVELOPE_OVERHEAD = 256

export class LoadBatcher {
  private readonly open = new Map<string, { batch: LoadBatch; bytes: number }>()
  private readonly maxEvents: number
  private readonly maxBytes: number

  constructor(options: BatcherOptions = {}) {
    this.maxEvents = options.maxEvents ?? WIRE_LIMITS.maxEvents
    this.maxBytes = options.maxBytes ?? 60_000
  }

  /** Adds an envelope; returns the batches that became complete. */
  add(env: SimEnvelope): LoadBatch[] {
    const done: LoadBatch[] = []
    let cur = this.open.get(env.session)
    if (cur !== undefined && cur.batch.load !== env.load) {
      done.push(cur.batch)
      cur = undefined
      this.open.delete(env.session)
    }
    for (const ev of env.events) {
      const size = Buffer.byteLength(JSON.stringify(ev)) + 1
      if (cur !== undefined && (cur.batch.events.length >= this.maxEvents || cur.bytes + size > this.maxBytes)) {
        done.push(cur.batch)
        cur = undefined
      }
      if (cur === undefined) {
        cur = {
          batch: { session: env.session, load: env.load, version: env.version, skewMs: env.skewMs, events: [] },
          bytes: ENVELOPE_OVERHEAD + env.session.length + env.load.length + env.version.length,
        }
        this.open.set(env.session, cur)
      }
      cur.batch.events.push(ev)
      cur.bytes += size
    }
    return done
  }

  /** Returns and forgets every batch still open. */
  flush(): LoadBatch[] {
    const all = [...this.open.values()].map((c) => c.batch)
    this.open.clear()
    return all
  }

  get openBatches(): number {
    return this.open.size
  }
}

/** The request body for a batch sent at client-clock time nowMs (true now; the skew is added). */
export function batchToEnvelope(batch: LoadBatch, key: string, nowMs: number): IngestEnvelope {
  return {
    key,
    session: batch.session,
    load: batch.load,
    version: batch.version,
    sentAt: nowMs + batch.skewMs,
    events: batch.events,
  }
}
