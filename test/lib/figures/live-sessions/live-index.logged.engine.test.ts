import { useEngine } from '../../../support/engine'
import { liveIndexScenario } from './live-index-scenario'

// The live index with the product's default acknowledgement, the ingest log,
// each segment stored by the engine reading its file: fed by each stored segment.
useEngine()
liveIndexScenario('logged')
