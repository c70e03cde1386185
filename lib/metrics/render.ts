import { ingestFamilies, liveByProject, liveFamilies, type BufferSnapshot, type IngestSnapshot } from './collect'
import { aggregateIngestFamilies, backendLoadByProject, backendLoadFamilies, type AggregateIngestSnapshot } from './backend-load'
import { renderExposition } from './exposition'
import { rolloutFamilies } from '../rollout/metrics'
import { skewErrorFamilies, skewErrorsByProject } from './skew-errors'

/** The whole /api/metrics body at `at`. */
export async function metricsText(ingest: IngestSnapshot, buffer: BufferSnapshot, at = Date.now(), aggregates?: AggregateIngestSnapshot): Promise<string> {
  const [live, load, skew] = await Promise.all([liveByProject(at), backendLoadByProject(at), skewErrorsByProject(at)])
  return renderExposition([
    ...liveFamilies(live),
    ...backendLoadFamilies(load),
    ...skewErrorFamilies(skew),
    ...ingestFamilies(ingest, buffer),
    ...(aggregates ? aggregateIngestFamilies(aggregates) : []),
    ...rolloutFamilies(),
  ])
}
