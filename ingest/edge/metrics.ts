import { processSingleton } from '../../lib/process-singleton'
import { newConnectionCounts, type ConnectionCounts } from './connection-guard'
import { errorCode } from './answers'

// Process-wide ingest counters, read by /api/metrics and the bench.

export interface IngestMetrics {
  accepted: number
  rejectedByReason: Map<string, number>
  inserts: number
  failedInserts: number
  insertedRows: number
  /** Segments the ingest log could not store whole and split or moved aside. */
  quarantinedSegments: number
  /** Their lines set aside, by kind (ingest/log/salvage.ts RejectKind). */
  quarantinedLinesByKind: Map<string, number>
  /** Their good rows, stored. */
  salvagedRows: number
  /** Ingest requests whose client went away before they were read (counted, never logged). */
  clientAborts: number
  /** Requests to everything but ingest refused by the front door's per-address limit (ingest/edge/address-limit.ts). */
  httpRateLimited: number
  /** Requests to Next.js routes whose client went away mid-body (lib/http/client-abort.ts). */
  httpClientAborts: number
  /** The front door's connections: open, refused past the caps, closed for timing out (ingest/edge/connection-guard.ts). */
  connections: ConnectionCounts
  /** Events refused by the version cap or the new-version rate, by project, then reason. */
  versionRefusedEvents: Map<string, Map<string, number>>
  recordVersionRefused(projectId: string, reason: string, events: number): void
  /** Flush latency histogram: cumulative counts per upper bound in seconds. */
  flushSeconds: { bounds: number[]; counts: number[]; sum: number; count: number }
  recordFlush(flush: { rows: number; ms: number; ok: boolean }): void
  /** Counts an ingest answer: accepted events, and rejections by reason (error code, or per-event reason). */
  recordAnswer(result: { status: number; body: unknown; accepted?: number }): void
}

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

function create(): IngestMetrics {
  const metrics: IngestMetrics = {
    accepted: 0,
    rejectedByReason: new Map(),
    inserts: 0,
    failedInserts: 0,
    insertedRows: 0,
    quarantinedSegments: 0,
    quarantinedLinesByKind: new Map(),
    salvagedRows: 0,
    clientAborts: 0,
    httpRateLimited: 0,
    httpClientAborts: 0,
    connections: newConnectionCounts(),
    versionRefusedEvents: new Map(),
    recordVersionRefused(projectId, reason, events) {
      let byReason = metrics.versionRefusedEvents.get(projectId)
      if (!byReason) metrics.versionRefusedEvents.set(projectId, (byReason = new Map()))
      byReason.set(reason, (byReason.get(reason) ?? 0) + events)
    },
    flushSeconds: { bounds: BOUNDS, counts: BOUNDS.map(() => 0), sum: 0, count: 0 },
    recordFlush({ rows, ms, ok }) {
      if (ok) {
        metrics.inserts++
        metrics.insertedRows += rows
      } else metrics.failedInserts++
      const seconds = ms / 1000
      const h = metrics.flushSeconds
      h.sum += seconds
      h.count++
      h.bounds.forEach((bound, i) => {
        if (seconds <= bound) h.counts[i]!++
      })
    },
    recordAnswer({ status, body, accepted }) {
      const bump = (reason: string, by = 1) => metrics.rejectedByReason.set(reason, (metrics.rejectedByReason.get(reason) ?? 0) + by)
      if (status >= 400) {
        bump(errorCode({ body }) ?? `http_${status}`)
        return
      }
      const answer = body as { accepted?: number; rejected?: { error: string }[] } | null
      // A 204 (?answer=header) has no body: its result carries the count.
      metrics.accepted += accepted ?? answer?.accepted ?? 0
      // Per-event rejections: an event-time verdict, or a schema failure.
      for (const rejected of answer?.rejected ?? []) bump(rejected.error.startsWith('ts:') ? 'event_time' : 'invalid_event')
    },
  }
  return metrics
}

/** This process's counters (lib/process-singleton.ts). */
export function ingestMetrics(): IngestMetrics {
  return processSingleton('ingestMetrics', create)
}
