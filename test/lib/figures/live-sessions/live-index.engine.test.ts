import { useEngine } from '../../../support/engine'
import { liveIndexScenario } from './live-index-scenario'

// The live index (lib/figures/live-sessions/live-index.ts) with the acknowledgement
// after the insert (STALEWATCH_INGEST_ACK=stored): fed by each group-commit batch.
useEngine()
liveIndexScenario('stored')
