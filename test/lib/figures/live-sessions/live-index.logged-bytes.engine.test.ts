import { useEngine } from '../../../support/engine'
import { liveIndexScenario } from './live-index-scenario'

// The live index with the ingest log, each segment's bytes sent in an INSERT
// (STALEWATCH_INGEST_LOG_FILE_INSERT=0): fed by each stored segment.
useEngine()
liveIndexScenario('logged-bytes')
