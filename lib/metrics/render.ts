import { ingestFamilies, liveByProject, liveFamilies, type BufferSnapshot, type IngestSnapshot } from './collect'
import { renderExposition } from './exposition'
import { rolloutFamilies } from '../rollout/metrics'

/** The whole /api/metrics body at `at`. */
export async function metricsText(ingest: IngestSnapshot, buffer: BufferSnapshot, at = Date.now()): Promise<string> {
  return renderExposition([...liveFamilies(await liveByProject(at)), ...ingestFamilies(ingest, buffer), ...rolloutFamilies()])
}
