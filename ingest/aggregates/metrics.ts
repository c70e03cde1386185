import type { AggregateAnswer } from '../../sdk/src/server/wire'
import type { AggregateIngestSnapshot } from '../../lib/metrics/backend-load'
import { processSingleton } from '../../lib/process-singleton'
import type { IngestResult } from '../edge/answers'

// Process-wide counters of the aggregate endpoint, read by /api/metrics:
// items accepted (and relabelled unknown), items rejected by their code, and
// whole requests refused by theirs (bad key, too large, rate-limited…).

export interface AggregateIngestMetrics extends AggregateIngestSnapshot {
  itemsRejectedByCode: Map<string, number>
  requestsRefusedByCode: Map<string, number>
  recordAnswer(result: IngestResult): void
}

function create(): AggregateIngestMetrics {
  const bump = (counts: Map<string, number>, code: string, by = 1) => counts.set(code, (counts.get(code) ?? 0) + by)
  const metrics: AggregateIngestMetrics = {
    itemsAccepted: 0,
    itemsRelabelled: 0,
    itemsRejectedByCode: new Map(),
    requestsRefusedByCode: new Map(),
    recordAnswer({ status, body }) {
      const answer = body as Partial<AggregateAnswer> & { error?: { code?: string } }
      // A 200, and the 400 no_valid_items, say item by item what happened.
      for (const rejected of answer?.rejected ?? []) bump(metrics.itemsRejectedByCode, rejected.code)
      metrics.itemsAccepted += answer?.accepted ?? 0
      metrics.itemsRelabelled += answer?.relabelled ?? 0
      if (status >= 400) bump(metrics.requestsRefusedByCode, answer?.error?.code ?? `http_${status}`)
    },
  }
  return metrics
}

/** This process's counters (lib/process-singleton.ts). */
export function aggregateIngestMetrics(): AggregateIngestMetrics {
  return processSingleton('aggregateIngestMetrics', create)
}
